"""Names a student types (families, decks, card ids, settings): forgiving matching, and "did you mean".

Every name in mli-drill is lower case with ``-`` between words, so
``receptive_field`` and ``Receptive-Field`` can only mean ``receptive-field``:
:func:`resolve` accepts them when exactly one known name matches that way. A
name that matches nothing gets the nearest known name suggested, as git and
ripgrep do (``difflib``, imported only then).
"""

from __future__ import annotations

from collections.abc import Iterable


def normalise(name: str) -> str:
    """The form two names are compared in: lower case, ``_`` read as ``-``, no surrounding space."""
    return name.strip().lower().replace("_", "-")


def resolve(name: str, known: Iterable[str]) -> str | None:
    """``name`` as one of ``known``: itself, else the one known name equal to it up to case and ``_``/``-``."""
    names = list(known)
    if name in names:
        return name
    wanted = normalise(name)
    found = [candidate for candidate in names if normalise(candidate) == wanted]
    return found[0] if len(found) == 1 else None


def closest(name: str, known: Iterable[str], count: int = 1) -> list[str]:
    """Up to ``count`` known names nearest to ``name`` (difflib's ratio at least 0.6), nearest first."""
    import difflib

    by_form: dict[str, str] = {}
    for candidate in known:
        by_form.setdefault(normalise(candidate), candidate)
    return [by_form[form] for form in difflib.get_close_matches(normalise(name), list(by_form), n=count, cutoff=0.6)]


def unknown(what: str, name: str, known: Iterable[str], listing: str | None = None) -> str:
    """The one-line message for a name that matches nothing: ``unknown family 'x' (did you mean 'y'?); see `...```."""
    near = closest(name, known)
    message = f"{what} {name!r}" + (f" (did you mean {near[0]!r}?)" if near else "")
    return message + (f"; see `{listing}`" if listing else "")
