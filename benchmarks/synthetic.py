"""A large synthetic collection: a user deck of N cards and a progress database with M review-log rows.

Generated fast and directly, not through the tool: the database is created
and migrated once by the tool's own ``open_store`` (so the schema is exactly
the tool's), then filled with ``sqlite3.executemany`` in one transaction.
The states are what a year of use looks like: most items in review state with
due dates spread over +-60 days around "now", stability and difficulty set,
some learning/relearning, a few new, suspended and leech items; reviews spread
over the past year, each item's last log row at its ``last_review``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    import random

    import numpy

DECK_ID = "bench-synthetic"
DAY = 86400.0
CARD_TYPES = ("basic", "cloze", "mcq", "points")
CARD_TYPE_SHARES = (0.6, 0.2, 0.1, 0.1)
RATING_SHARES = (0.10, 0.15, 0.65, 0.10)  # again, hard, good, easy
WORDS = (
    "convolution kernel stride padding receptive field pooling feature map activation gradient loss "
    "segmentation registration reconstruction dice jaccard hausdorff encoder decoder skip connection "
    "softmax logistic regression entropy boosting adaboost decision tree pca eigenvector variance "
    "k-space undersampling mri ct ultrasound voxel intensity normalisation augmentation adversarial "
    "robustness uncertainty calibration attention transformer u-net resnet batch layer dropout weight"
).split()
FORMULAS = (r"$\frac{2TP}{2TP+FP+FN}$", r"$o = \lfloor (i + 2p - k)/s \rfloor + 1$", r"$\sigma(z) = 1/(1+e^{-z})$", r"$x' = x + \epsilon\,\mathrm{sign}(\nabla_x L)$")


@dataclass
class Synthetic:
    """What was generated, and the database sizes measured on the way (for the size figure)."""

    deck_path: Path
    db_path: Path
    cards: int
    items: int
    reviews: int
    size_items_only: int = 0  # bytes after VACUUM, before any review-log row
    size_as_inserted: int = 0  # bytes after inserting the log (checkpointed, not vacuumed)
    size_vacuumed: int = 0  # bytes after inserting the log and VACUUM
    seconds: float = 0.0
    card_types: dict[str, str] = field(default_factory=dict)  # card id -> type


def card_ids(count: int) -> list[str]:
    return [f"bench-card-{i:06d}" for i in range(count)]


def _sentence(rng: "random.Random", low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.25:
        words.insert(rng.randrange(len(words) + 1), rng.choice(FORMULAS))
    return " ".join(words)


def _block(text: str, indent: str) -> str:
    """A folded YAML block scalar (``>-``), wrapped like the bundled decks."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) > 90:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return ">-\n" + "\n".join(indent + part for part in lines)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def write_deck(path: Path, count: int, seed: int = 1) -> dict[str, str]:
    """Write a valid deck of ``count`` cards of all four types; returns card id -> type."""
    import random

    rng = random.Random(seed)
    types: dict[str, str] = {}
    parts = [f"deck: {DECK_ID}\ntitle: Synthetic benchmark deck\ntopic: benchmark\nweek: 9\ncards:\n"]
    for number, card_id in enumerate(card_ids(count)):
        kind = rng.choices(CARD_TYPES, CARD_TYPE_SHARES)[0]
        types[card_id] = kind
        tags = f"    tags: [{rng.choice(WORDS).replace('-', '')}, t{number % 50}]\n"
        if kind == "basic":
            body = f"    front: {_q(_sentence(rng, 6, 14) + '?')}\n    back: {_block(_sentence(rng, 15, 40), '      ')}\n"
        elif kind == "cloze":
            words = _sentence(rng, 10, 24).split()
            spot = rng.randrange(len(words))
            if "$" not in words[spot]:
                words[spot] = "{{" + words[spot] + "}}"
            else:
                words.append("{{" + rng.choice(WORDS) + "}}")
            body = f"    type: cloze\n    text: {_q(' '.join(words))}\n"
        elif kind == "mcq":
            choices = "".join(f"      - {_q(f'{chr(65 + i)} {_sentence(rng, 2, 6)}')}\n" for i in range(4))
            body = f"    type: mcq\n    front: {_q(_sentence(rng, 8, 16) + '?')}\n    choices:\n{choices}    answer: {rng.choice('ABCD')}\n"
        else:
            points = "".join(f"      - {_q(_sentence(rng, 4, 10))}\n" for _ in range(rng.randint(3, 5)))
            body = f"    type: points\n    front: {_q('List ' + _sentence(rng, 5, 10))}\n    points:\n{points}"
        parts.append(f"  - id: {card_id}\n{body}{tags}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")
    return types


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).isoformat(timespec="seconds")


def family_rows() -> list[tuple[str, str]]:
    """(item key, topic) for every problem family, as the tool's sync would store them."""
    from mli_drill.problems.registry import family_names
    from mli_drill.problems.spec import load_spec

    return [(f"family:{name}", load_spec(name).topic) for name in family_names()]


def _item_states(keys: list[tuple[str, str, str]], now: float, rng: "numpy.random.Generator") -> list[dict]:
    """Scheduling state per item: mostly review, due within +-60 days of now."""
    import numpy as np

    n = len(keys)
    state = rng.choice([2, 1, 3, 0], size=n, p=[0.82, 0.04, 0.04, 0.10])
    stability = np.clip(rng.lognormal(np.log(20.0), 1.0, n), 0.5, 3650.0)
    difficulty = rng.uniform(1.0, 10.0, n)
    due_offset = rng.uniform(-60.0, 60.0, n) * DAY
    interval = np.maximum(1.0, stability * rng.uniform(0.8, 1.2, n)) * DAY
    rows = []
    for i, (key, kind, deck) in enumerate(keys):
        row = {"key": key, "kind": kind, "deck": deck, "state": int(state[i]), "step": None, "stability": None,
               "difficulty": None, "due": None, "last_review": None, "suspended": 0, "leech": 0}
        if state[i] == 2:
            due = now + due_offset[i]
            row["last_review"] = min(due - interval[i], now - rng.uniform(0.01, 1.0) * DAY)
            row["due"] = due
            row["stability"], row["difficulty"] = float(stability[i]), float(difficulty[i])
            if rng.random() < 0.02:
                row["suspended"] = 1
                row["leech"] = int(rng.random() < 0.5)
        elif state[i] in (1, 3):
            last = now - rng.uniform(0.0, 2.0) * DAY
            row.update(last_review=last, due=last + 600.0, step=int(rng.integers(0, 2)) if state[i] == 1 else 0,
                       stability=float(rng.uniform(0.2, 10.0)), difficulty=float(difficulty[i]))
        rows.append(row)
    return rows


def _log_rows(
    items: list[dict], ids: list[int], total: int, now: float, card_types: dict[str, str], rng: "numpy.random.Generator"
) -> tuple[Iterator[tuple], dict[int, dict]]:
    """Review-log rows in time order (as they would have been appended) and per-item reps/lapses/first review."""
    import numpy as np

    reviewed = [i for i, item in enumerate(items) if item["state"] != 0]
    weights = rng.lognormal(0.0, 0.7, len(reviewed))
    counts = 1 + rng.multinomial(max(0, total - len(reviewed)), weights / weights.sum())
    if len(reviewed) > total:  # tiny collections: fewer rows than reviewed items
        counts = np.zeros(len(reviewed), dtype=int)
        counts[:total] = 1
    owner = np.repeat(np.arange(len(reviewed)), counts)
    last = np.array([items[i]["last_review"] for i in reviewed])
    start = now - 365.0 * DAY
    times = start + rng.uniform(0.0, 1.0, owner.size) * (last[owner] - start)
    ends = np.cumsum(counts) - 1  # the last row of each item is its last_review
    times[ends[counts > 0]] = last[counts > 0]
    order = np.argsort(times, kind="stable")
    owner, times = owner[order], times[order]
    ratings = rng.choice([1, 2, 3, 4], size=owner.size, p=list(RATING_SHARES))
    durations = np.clip(rng.lognormal(np.log(8000.0), 0.6, owner.size), 500, 600000).astype(int)
    seeds = rng.integers(0, 2**31 - 1, owner.size)
    undone = rng.random(owner.size) < 0.005
    stats: dict[int, dict] = {}
    for j in range(owner.size):  # reps, lapses, first review per item
        entry = stats.setdefault(int(owner[j]), {"reps": 0, "lapses": 0, "first": float(times[j])})
        entry["reps"] += 1
        entry["lapses"] += int(ratings[j] == 1 and entry["reps"] > 2)

    def rows() -> Iterator[tuple]:
        for j in range(owner.size):
            item = items[reviewed[owner[j]]]
            rating = int(ratings[j])
            answer, correct, source, detail = None, int(rating > 1), "review", None
            if item["kind"] == "family":
                name = item["key"].split(":", 1)[1]
                answer = f"{(seeds[j] % 10000) / 1000:.3f}"
                source = "practice" if seeds[j] % 10 < 7 else "review"
                detail = json.dumps({"family": name, "level": "exam", "seed": int(seeds[j])})
            else:
                kind = card_types.get(item["key"].split(":", 1)[1], "basic")
                if kind == "mcq":
                    answer = "ABCD"[seeds[j] % 4]
                elif kind == "points":
                    answer = "1 3" if rating < 3 else "1 2 3"
            yield (ids[reviewed[owner[j]]], _iso(times[j]), rating, int(durations[j]), answer, correct, source, detail, int(undone[j]))

    return rows(), {reviewed[k]: v for k, v in stats.items()}


def _fill_elapsed_seconds(conn: sqlite3.Connection) -> None:
    """Give the bulk-inserted rows their ``elapsed_s``, with the tool's own backfill (schema v6)."""
    from mli_drill.store.db import _statements, migrations

    (v6,) = [m for m in migrations() if m.version == 6]
    for statement in _statements(v6.sql):
        if statement.startswith("UPDATE review_log"):
            conn.execute(statement)


def _file_size(conn: sqlite3.Connection, path: Path, vacuum: bool) -> int:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if vacuum:
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def build(home: Path, cards: int, reviews: int, now_iso: str, seed: int = 7) -> Synthetic:
    """Write ``home/decks/bench-synthetic.yaml`` and ``home/progress.db`` (the tool's default places)."""
    import time

    import numpy as np

    from mli_drill.clock import parse_time
    from mli_drill.store import open_store

    started = time.perf_counter()
    deck_path = home / "decks" / f"{DECK_ID}.yaml"
    card_types = write_deck(deck_path, cards, seed)
    db_path = home / "progress.db"
    open_store(db_path).close()  # the tool creates and migrates its own schema
    now = parse_time(now_iso).timestamp()
    rng = np.random.default_rng(seed)
    keys = [(f"card:{cid}", "card", DECK_ID) for cid in card_ids(cards)]
    keys += [(key, "family", topic) for key, topic in family_rows()]
    items = _item_states(keys, now, rng)
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")  # bulk load: durability is irrelevant for a scratch file
        conn.execute("BEGIN")
        created = _iso(now - 400 * DAY)
        conn.executemany(
            "INSERT INTO items (key, kind, deck, state, step, stability, difficulty, due, last_review, suspended, leech, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(r["key"], r["kind"], r["deck"], r["state"], r["step"], r["stability"], r["difficulty"],
              _iso(r["due"]) if r["due"] is not None else None,
              _iso(r["last_review"]) if r["last_review"] is not None else None, r["suspended"], r["leech"], created) for r in items],
        )
        conn.execute("COMMIT")
        ids = [row[0] for row in conn.execute("SELECT id FROM items ORDER BY id")]
        size_items = _file_size(conn, db_path, vacuum=True)
        rows, stats = _log_rows(items, ids, reviews, now, card_types, rng)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO review_log (item_id, reviewed_at, rating, duration_ms, answer, correct, source, detail, undone)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "UPDATE items SET reps = ?, lapses = ?, introduced_at = ? WHERE id = ?",
            [(s["reps"], s["lapses"], _iso(s["first"]), ids[i]) for i, s in stats.items()],
        )
        _fill_elapsed_seconds(conn)
        conn.execute("COMMIT")
        written = conn.execute("SELECT count(*) FROM review_log").fetchone()[0]
        size_raw = _file_size(conn, db_path, vacuum=False)
        size_vacuumed = _file_size(conn, db_path, vacuum=True)
    finally:
        conn.close()
    return Synthetic(deck_path, db_path, cards, len(items), int(written), size_items, size_raw, size_vacuumed,
                     time.perf_counter() - started, card_types)
