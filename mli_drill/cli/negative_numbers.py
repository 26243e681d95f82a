"""Let a positional value be a negative number: ``problems check adaboost --seed 1 -1``.

Click reads every word that starts with ``-`` as an option, so ``-1`` or
``-0.5`` given as an answer or a setting gave "No such option". A command made
with ``cls=NegativeNumbersCommand`` reads a word that starts with ``-`` and
then a digit, ``.``, ``(`` or a name an answer may use (``-ln(2)``,
``-sqrt 2``, ``-pi/2``, ``-(1/2)``) as a positional value instead, unless it is
one of the command's own options. Other words keep click's rules (so a
mistyped option is still an error); ``--`` still ends the options.
"""

from __future__ import annotations

import re
from typing import Any

from typer.core import TyperCommand

NEGATIVE_NUMBER = re.compile(r"-\.?[0-9]|-\(")


def _negative_value(word: str) -> bool:
    """``-1``, ``-.5``, ``-(1/2)``, or minus a name an answer may use (``-ln2``, ``-e``), but not ``-level``."""
    if NEGATIVE_NUMBER.match(word):
        return True
    from mli_drill.problems.answers import NAMES

    return any(re.match(rf"-{name}(?![A-Za-z_])", word, re.IGNORECASE) for name in NAMES)


class NegativeNumbersCommand(TyperCommand):
    def make_parser(self, ctx: Any) -> Any:
        parser = super().make_parser(ctx)
        process = getattr(parser, "_process_opts", None)
        if process is None:  # a click without this hook: only the feature is lost
            return parser
        known = set(getattr(parser, "_long_opt", {})) | set(getattr(parser, "_short_opt", {}))

        def process_opts(arg: str, state: Any) -> None:
            if arg.startswith("-") and not arg.startswith("--") and arg.split("=", 1)[0] not in known and _negative_value(arg):
                state.largs.append(arg)
                return
            process(arg, state)

        setattr(parser, "_process_opts", process_opts)  # noqa: B010 - replacing one method of this parser only
        return parser
