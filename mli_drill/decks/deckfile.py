"""Loading and validating YAML decks, with every problem reported as ``file:line: message``.

The YAML is parsed once with PyYAML's *safe* loader (no Python objects can be
constructed from a deck); the composed node tree is kept only to know the line
of each card and field. All problems across all decks are collected before
reporting, so a student fixes a deck in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from mli_drill.exceptions import MliDrillError
from mli_drill.model import (
    CARD_TYPES,
    CONTROL_CHARACTER,
    ID_PATTERN,
    Card,
    Deck,
    cloze_text_problem,
)

MAX_DECK_BYTES = 5_000_000
DECK_FIELDS = {"deck", "title", "topic", "week", "cards", "description"}
CARD_FIELDS = {"id", "type", "front", "back", "text", "choices", "answer", "points", "tags", "hint", "family", "covers"}
REQUIRED = {
    "basic": ("front", "back"),
    "cloze": ("text",),
    "mcq": ("front", "choices", "answer"),
    "points": ("front", "points"),
}


class DeckError(MliDrillError):
    """One or more decks are invalid; ``problems`` holds one ``file:line: message`` each."""

    SHOWN = 50  # problems in the message; a deck broken everywhere must not flood the terminal

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems

    def __str__(self) -> str:
        """One problem a line, the first ``SHOWN`` of them, then how many more there are."""
        more = len(self.problems) - self.SHOWN
        return "\n".join(self.problems[: self.SHOWN]) + (f"\n… and {more} more" if more > 0 else "")


@dataclass
class _Parsed:
    data: Any
    root: Any  # yaml.Node or None


def _safe_load_with_nodes(text: str) -> _Parsed:
    """``yaml.safe_load`` that also returns the node tree (for line numbers)."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = _construct(loader, node) if node is not None else None
    finally:
        loader.dispose()
    return _Parsed(data, node)


_UNREADABLE = (AttributeError, KeyError, TypeError, IndexError, ValueError)


def _construct(loader: Any, node: Any) -> Any:
    """Build the data; a value that does not fit its tag becomes a located YAML error.

    PyYAML's safe constructors raise plain ValueError, KeyError or
    AttributeError for e.g. ``!!bool maybe``, ``!!timestamp x`` or an integer
    with more digits than Python reads. Only data is built here (never
    objects), so reporting those as "invalid YAML" at the value's line is safe.
    """
    import yaml

    try:
        return loader.construct_document(node)
    except _UNREADABLE:
        bad = _first_unreadable_scalar(loader, node)
        if bad is None:
            raise yaml.constructor.ConstructorError(None, None, "a value cannot be read", node.start_mark) from None
        kind = str(bad.tag).rsplit(":", 1)[-1]
        raise yaml.constructor.ConstructorError(None, None, f"{_shown(bad.value)} cannot be read as {kind}", bad.start_mark) from None


def _first_unreadable_scalar(loader: Any, root: Any) -> Any:
    """The first scalar (in page order) whose construction fails, found without recursion."""
    import yaml

    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            loader.constructed_objects, loader.recursive_objects = {}, {}
            try:
                loader.construct_object(node, deep=True)
            except _UNREADABLE:
                return node
            except yaml.YAMLError:
                continue
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend([value, key])
    return None


def _mapping_lines(node: Any) -> dict[str, int]:
    """1-based line of each key of a YAML mapping node."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _shown(value: Any, limit: int = 40) -> str:
    """A bounded, one-line repr of a value from a deck, for error messages.

    YAML aliases let a few hundred bytes expand to a structure whose repr is
    gigabytes long (the "billion laughs"), so containers are named, not printed.
    """
    if isinstance(value, (list, dict, set, tuple)):
        return "a list" if isinstance(value, (list, tuple)) else "a mapping"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _control_character(value: Any) -> str | None:
    """The first control character in a text value or a list of texts, as ``U+001B``; None when there is none.

    Decks are shared between students, and a terminal obeys such characters
    (ESC sequences can clear the screen or replace the clipboard), so a deck
    holding one is refused rather than shown.
    """
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        found = CONTROL_CHARACTER.search(text) if isinstance(text, str) else None
        if found:
            return f"U+{ord(found.group()):04X}"
    return None


def _control_problems(mapping: dict, fields: Iterable[str], loc: Callable[[str], str]) -> list[str]:
    """``file:line: control character U+001B in 'back'`` for each field of ``mapping`` holding one."""
    problems = []
    for key in fields:
        found = _control_character(mapping.get(key))
        if found:
            problems.append(f"{loc(key)}: control character {found} in {key!r}")
    return problems


def _duplicate_keys(node: Any, where: str) -> list[str]:
    """YAML keeps only the last of two equal keys; say so instead of silently dropping a field."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    seen: set[str] = set()
    problems = []
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode):
            if key.value in seen:
                problems.append(f"{where}:{key.start_mark.line + 1}: field {_shown(key.value)} appears twice (only the last one would count)")
            seen.add(key.value)
    return problems


def _cards_node(root: Any) -> Any:
    import yaml

    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "cards":
                return value
    return None


def parse_deck(text: str, path: Path, bundled: bool = False) -> tuple[Deck | None, list[str]]:
    """Parse one deck file's text. Returns the deck (None if unusable) and its problems."""
    import yaml

    where = str(path)
    try:
        parsed = _safe_load_with_nodes(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or "not valid YAML"
        return None, [f"{where}:{line}: invalid YAML: {problem}"]
    except (RecursionError, MemoryError, ValueError):
        return None, [f"{where}:1: invalid YAML: too deeply nested or too large"]
    data, root = parsed.data, parsed.root
    if not isinstance(data, dict):
        return None, [f"{where}:1: a deck must be a mapping with 'deck', 'title' and 'cards'"]
    top_lines = _mapping_lines(root)
    problems: list[str] = _duplicate_keys(root, where)
    for key in data:
        if key not in DECK_FIELDS:
            problems.append(f"{where}:{top_lines.get(str(key), 1)}: unknown deck field {_shown(key)}")
    problems.extend(_control_problems(data, [k for k in data if k in DECK_FIELDS - {"cards"}], lambda key: f"{where}:{top_lines.get(key, 1)}"))
    deck_id = data.get("deck")
    if not isinstance(deck_id, str) or not ID_PATTERN.fullmatch(deck_id):
        problems.append(f"{where}:{top_lines.get('deck', 1)}: 'deck' must be an id like cnn-basics (lowercase letters, digits, -)")
        deck_id = path.stem
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{where}:{top_lines.get('title', 1)}: 'title' must be non-empty text")
        title = deck_id
    week = data.get("week")
    if week is not None and (isinstance(week, bool) or not isinstance(week, int)):
        problems.append(f"{where}:{top_lines.get('week', 1)}: 'week' must be a whole number")
        week = None
    topic = data.get("topic", "")
    if not isinstance(topic, str):
        problems.append(f"{where}:{top_lines.get('topic', 1)}: 'topic' must be text")
        topic = ""
    raw_cards = data.get("cards")
    if not isinstance(raw_cards, list) or not raw_cards:
        problems.append(f"{where}:{top_lines.get('cards', 1)}: 'cards' must be a non-empty list")
        return None, problems
    cards_node = _cards_node(root)
    item_nodes = list(cards_node.value) if cards_node is not None and hasattr(cards_node, "value") else []
    cards = []
    for index, raw in enumerate(raw_cards):
        node = item_nodes[index] if index < len(item_nodes) else None
        line = node.start_mark.line + 1 if node is not None else top_lines.get("cards", 1)
        card, card_problems = _parse_card(raw, deck_id, f"{where}:{line}", _mapping_lines(node), where, index)
        problems.extend(_duplicate_keys(node, where) + card_problems)
        if card is not None:
            cards.append(card)
    deck = Deck(id=deck_id, title=title.strip(), path=path, topic=topic, week=week, bundled=bundled, cards=tuple(cards))
    return deck, problems


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return None


def _text_list(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    items = [_text(v) for v in value]
    if any(v is None or v == "" for v in items):
        return None
    return tuple(items)  # type: ignore[arg-type]


def _parse_card(raw: Any, deck_id: str, at: str, lines: dict[str, int], where: str, index: int) -> tuple[Card | None, list[str]]:
    def loc(key: str) -> str:
        return f"{where}:{lines[key]}" if key in lines else at

    if not isinstance(raw, dict):
        return None, [f"{at}: card {index + 1} must be a mapping of fields (id, front, back, ...)"]
    problems = [f"{loc(str(k))}: unknown card field {_shown(k)}" for k in raw if k not in CARD_FIELDS]
    problems.extend(_control_problems(raw, [k for k in raw if k in CARD_FIELDS], loc))
    card_id = _text(raw.get("id"))
    if not card_id or not ID_PATTERN.fullmatch(card_id):
        problems.append(f"{loc('id')}: card {index + 1} needs an 'id' of lowercase letters, digits, '.', '_' or '-'")
        return None, problems
    card_type = raw.get("type", "basic")
    if card_type not in CARD_TYPES:
        problems.append(f"{loc('type')}: card {card_id!r}: unknown type {_shown(card_type)} (expected {', '.join(CARD_TYPES)})")
        return None, problems
    missing = [f for f in REQUIRED[card_type] if raw.get(f) in (None, "", [])]
    if missing:
        problems.append(f"{at}: {card_type} card {card_id!r} needs {' and '.join(repr(m) for m in missing)}")
        return None, problems
    fields: dict[str, Any] = {}
    for key in ("front", "back", "text", "hint", "family"):
        if key in raw and raw[key] is not None:
            value = _text(raw[key])
            if value is None:
                problems.append(f"{loc(key)}: card {card_id!r}: {key!r} must be text")
            else:
                fields[key] = value
    for key in ("choices", "points", "tags", "covers"):
        if key in raw and raw[key] is not None:
            value_list = _text_list(raw[key])
            if value_list is None:
                problems.append(f"{loc(key)}: card {card_id!r}: {key!r} must be a list of non-empty text items")
            else:
                fields[key] = value_list
    problems.extend(_check_type_rules(card_type, card_id, raw, fields, loc))
    if problems:
        return None, problems
    card = Card(id=card_id, deck=deck_id, type=card_type, source=at, order=index, **fields)
    return card, []


def _check_type_rules(card_type: str, card_id: str, raw: dict, fields: dict[str, Any], loc: Any) -> list[str]:
    problems = []
    if card_type == "cloze" and "text" in fields:
        problem = cloze_text_problem(fields["text"])
        if problem:
            problems.append(f"{loc('text')}: cloze card {card_id!r}: {problem}")
    if card_type == "mcq" and "choices" in fields:
        choices = fields["choices"]
        answer = _text(raw.get("answer")) or ""
        if len(choices) < 2 or len(choices) > 26:
            problems.append(f"{loc('choices')}: mcq card {card_id!r}: give between 2 and 26 choices")
        elif len(answer) != 1 or not answer.isalpha() or not 0 <= ord(answer.upper()) - ord("A") < len(choices):
            last = chr(ord("A") + len(choices) - 1)
            problems.append(f"{loc('answer')}: mcq card {card_id!r}: 'answer' must be a letter A-{last}")
        else:
            fields["answer"] = answer.upper()
        if len(set(choices)) != len(choices):
            problems.append(f"{loc('choices')}: mcq card {card_id!r}: choices must differ")
    return problems


def deck_files(paths: Iterable[Path]) -> list[Path]:
    """YAML files under the given files or directories, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif path.exists():
            found.append(path)
    return found


def read_deck_file(path: Path, bundled: bool = False) -> tuple[Deck | None, list[str]]:
    try:
        size = path.stat().st_size
        if size > MAX_DECK_BYTES:
            return None, [f"{path}:1: deck file is larger than {MAX_DECK_BYTES // 1_000_000} MB"]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [f"{path}:1: not UTF-8 text"]
    except OSError as exc:
        return None, [f"{path}:1: cannot read ({exc.strerror or exc})"]
    return parse_deck(text, path, bundled=bundled)


def _sources(bundled_dirs: Iterable[Path], other_paths: Iterable[Path]) -> list[tuple[Path, bool]]:
    """(file, bundled?) for every deck file, each file once (by resolved path), bundled ones first."""
    sources = [(p, True) for p in deck_files(bundled_dirs)] + [(p, False) for p in deck_files(other_paths)]
    seen_files: set[Path] = set()
    unique = []
    for path, bundled in sources:
        resolved = path.resolve()
        if resolved not in seen_files:
            seen_files.add(resolved)
            unique.append((path, bundled))
    return unique


def load_decks(
    bundled_dirs: Iterable[Path],
    other_paths: Iterable[Path] = (),
    read: Callable[[Path, bool], tuple[Deck | None, list[str]]] | None = None,
    context: Iterable[Deck] = (),
) -> list[Deck]:
    """Load every deck; raise DeckError listing every problem if any deck is invalid.

    ``read`` parses one file (default :func:`read_deck_file`); the deck cache
    passes its own reader that skips parsing unchanged files. ``context``
    holds decks already loaded elsewhere (``decks validate FILE`` passes the
    bundled and the user's other decks) that the loaded ones must not clash
    with; they are not returned, and their own problems are not reported.
    """
    read = read or read_deck_file
    decks: list[Deck] = []
    problems: list[str] = []
    ids = _Ids()
    for known in context:
        ids.add(known)
    for path, bundled in _sources(bundled_dirs, other_paths):
        deck, deck_problems = read(path, bundled)
        problems.extend(deck_problems)
        if deck is not None:
            problems.extend(ids.clashes(deck))
            ids.add(deck)
            decks.append(deck)
    if problems:
        raise DeckError(problems)
    return decks


@dataclass(frozen=True)
class SkippedDeck:
    """A user's deck file left out because it does not load or clashes with a deck loaded before it."""

    path: Path
    deck_id: str | None  # None when the file cannot be read as a deck at all
    problems: list[str]

    def warning(self) -> str:
        """One line: the first problem as ``file:line: message``, and how to see them all."""
        more = len(self.problems) - 1
        also = f" ({more} more problem{'s' if more != 1 else ''}: mli-drill decks validate {self.path})" if more > 0 else ""
        return f"{self.problems[0]}; deck skipped{also}"

    def names(self) -> set[str]:
        """What ``--deck`` may call it: its id and its file name without .yaml."""
        return {self.path.stem} | ({self.deck_id} if self.deck_id else set())


def load_decks_skipping(
    bundled_dirs: Iterable[Path],
    other_paths: Iterable[Path] = (),
    read: Callable[[Path, bool], tuple[Deck | None, list[str]]] | None = None,
) -> tuple[list[Deck], list[SkippedDeck]]:
    """Every deck that loads; a user deck that is invalid or clashes is skipped, not fatal.

    One bad file in the user's deck directory must not stop every command, so
    each such deck is returned in the second list (the CLI warns about it).
    The bundled decks are shipped valid: a problem there is still a DeckError.
    A user deck that reuses a deck id or a card id of a deck loaded before it
    (the bundled ones, then the user's in file-name order) is the one skipped.
    """
    read = read or read_deck_file
    decks: list[Deck] = []
    skipped: list[SkippedDeck] = []
    problems: list[str] = []
    ids = _Ids()
    for path, bundled in _sources(bundled_dirs, other_paths):
        deck, deck_problems = read(path, bundled)
        if deck is not None:
            deck_problems = deck_problems + ids.clashes(deck)
        if bundled:
            problems.extend(deck_problems)
        elif deck_problems or deck is None:
            skipped.append(SkippedDeck(path, deck.id if deck is not None else None, deck_problems or [f"{path}:1: not a deck"]))
            continue
        if deck is not None:
            ids.add(deck)
            decks.append(deck)
    if problems:
        raise DeckError(problems)
    return decks, skipped


class _Ids:
    """Deck ids and card ids taken so far, to report a deck that reuses one (ids are unique across decks)."""

    def __init__(self) -> None:
        self.decks: dict[str, Path] = {}
        self.cards: dict[str, tuple[Deck, int]] = {}  # card id -> (deck, position) where first defined

    def clashes(self, deck: Deck) -> list[str]:
        """This deck's deck id or card ids already taken, by earlier decks or earlier in this deck."""
        problems = []
        if deck.id in self.decks:
            problems.append(f"{deck.path}:1: duplicate deck id {deck.id!r} (also in {self.decks[deck.id]})")
        here: dict[str, tuple[Deck, int]] = {}
        # summaries, not cards: a cached deck decodes a card only to report it
        for index, summary in enumerate(deck.summaries):
            first = self.cards.get(summary.id) or here.get(summary.id)
            if first is not None:
                other, at = first
                problems.append(f"{deck.cards[index].source}: duplicate card id {summary.id!r} (first defined at {other.cards[at].source})")
            else:
                here[summary.id] = (deck, index)
        return problems

    def add(self, deck: Deck) -> None:
        self.decks.setdefault(deck.id, deck.path)
        for index, summary in enumerate(deck.summaries):
            self.cards.setdefault(summary.id, (deck, index))
