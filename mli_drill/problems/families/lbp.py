"""The local binary pattern (LBP) code of one 3x3 patch.

Every neighbour is compared with the centre and the eight bits are read
around the ring. The course notes' convention (CONVENTIONS.md): a neighbour
scores 1 if it is greater than the centre, reading starts at the top-middle
neighbour and goes anticlockwise, and the first bit read is the most
significant. Libraries and textbooks differ (start cell, direction, > or >=,
bit order), so every question states the convention it uses; the hard level
varies it.

Params (JSON form), typed as :class:`Params`:
    patch       list[list[number]]  3x3
    start       one of NEIGHBOURS (the first neighbour read)
    direction   "clockwise" | "anticlockwise" (as the patch is displayed, row 0 at the top)
    comparison  ">" | ">="        neighbour OP centre gives bit 1
    bit_order   "msb-first" | "lsb-first"  whether the first bit read has weight 128 or 1

The catalogued slips (``MISTAKES``) are the same code with one part of the
convention done wrong: the other direction, the other bit order, the other tie
rule, or the comparison turned round (centre against neighbour).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

from mli_drill.problems.families.base import Grid, Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import format_grid, informative, prefer_informative

Neighbour = Literal["top-left", "top-middle", "top-right", "middle-right", "bottom-right", "bottom-middle", "bottom-left", "middle-left"]
Direction = Literal["clockwise", "anticlockwise"]
Comparison = Literal[">", ">="]
BitOrder = Literal["msb-first", "lsb-first"]

# The ring in clockwise order as displayed (row 0 at the top), with grid positions.
NEIGHBOURS: dict[Neighbour, tuple[int, int]] = {
    "top-left": (0, 0),
    "top-middle": (0, 1),
    "top-right": (0, 2),
    "middle-right": (1, 2),
    "bottom-right": (2, 2),
    "bottom-middle": (2, 1),
    "bottom-left": (2, 0),
    "middle-left": (1, 0),
}
CLOCKWISE = list(NEIGHBOURS)
COURSE_CONVENTION = {"start": "top-middle", "direction": "anticlockwise", "comparison": ">", "bit_order": "msb-first"}

Row = tuple[int | float, int | float, int | float]


@dataclass(frozen=True)
class Params:
    patch: tuple[Row, Row, Row]  # 3x3; the centre is patch[1][1]
    start: Neighbour  # the first neighbour read
    direction: Direction  # as the patch is displayed, row 0 at the top
    comparison: Comparison  # neighbour OP centre gives bit 1
    bit_order: BitOrder  # whether the first bit read has weight 128 or 1


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    values: tuple[int, int] = (0, 9)  # [low, high]: the patch's values are integers in this range
    max_ties: int = 0  # most neighbours allowed to equal the centre
    vary_convention: bool = False  # draw start, direction, comparison and bit order (else the course's convention)

    def __post_init__(self) -> None:
        require(self.values[0] < self.values[1], "values", "must be [low, high] with low < high")
        require(0 <= self.max_ties <= 8, "max_ties", f"must be from 0 to 8, got {self.max_ties}")


def reading_order(start: Neighbour, direction: str) -> list[Neighbour]:
    """The eight neighbour names in the order the bits are read."""
    ring = CLOCKWISE if direction == "clockwise" else [CLOCKWISE[0], *reversed(CLOCKWISE[1:])]
    i = ring.index(start)
    return ring[i:] + ring[:i]


def bits(params: Params, inverted: bool = False) -> list[int]:
    """The eight bits in reading order; ``inverted`` compares the centre with the neighbour
    instead (centre > neighbour gives 1), a slip."""
    patch = params.patch
    centre = patch[1][1]
    strict = params.comparison == ">"

    def one(v: float) -> bool:
        low, high = (v, centre) if inverted else (centre, v)
        return high > low if strict else high >= low

    return [int(one(patch[r][c])) for r, c in (NEIGHBOURS[n] for n in reading_order(params.start, params.direction))]


def code(params: Params, inverted: bool = False) -> int:
    read = bits(params, inverted)
    if params.bit_order == "lsb-first":
        read = read[::-1]
    return int("".join(map(str, read)), 2)


def sample(rng: random.Random, level: Level) -> Params:
    """A patch with 2 to 6 one-bits (a code worth reading) and at most ``max_ties`` neighbours equal to
    the centre; preferably one whose code each catalogued slip changes in its own way (a bit string
    that reads the same both ways round would hide the direction)."""
    return prefer_informative(lambda: _draw(rng, level), _informative)


_DIRECTIONS: tuple[Direction, ...] = ("clockwise", "anticlockwise")
_COMPARISONS: tuple[Comparison, ...] = (">", ">=")
_BIT_ORDERS: tuple[BitOrder, ...] = ("msb-first", "lsb-first")


def _row(rng: random.Random, lo: int, hi: int) -> Row:
    return (rng.randint(lo, hi), rng.randint(lo, hi), rng.randint(lo, hi))


def _draw(rng: random.Random, level: Level) -> Params:
    rejections = Rejections()
    lo, hi = level.values
    while True:
        patch = (_row(rng, lo, hi), _row(rng, lo, hi), _row(rng, lo, hi))
        if level.vary_convention:
            params = Params(patch, rng.choice(CLOCKWISE), rng.choice(_DIRECTIONS), rng.choice(_COMPARISONS), rng.choice(_BIT_ORDERS))
        else:
            params = Params(patch, "top-middle", "anticlockwise", ">", "msb-first")  # COURSE_CONVENTION
        centre = patch[1][1]
        ties = sum(patch[r][c] == centre for r, c in NEIGHBOURS.values())
        if ties > level.max_ties or not 2 <= sum(bits(params)) <= 6:
            rejections.again()
            continue
        return params


def _informative(params: Params) -> bool:
    return informative(code(params), [mistake.answer(params) for mistake in MISTAKES])


# --------------------------------------------------------------------------- mistakes

OTHER: dict[str, dict[str, Any]] = {
    "direction": {"clockwise": "anticlockwise", "anticlockwise": "clockwise"},
    "bit_order": {"msb-first": "lsb-first", "lsb-first": "msb-first"},
    "comparison": {">": ">=", ">=": ">"},
}


def _other(params: Params, key: str) -> Params:
    """The params with one part of the convention swapped for its alternative (built directly: the sampler's
    preference for informative draws calls this for every candidate)."""
    p, swap = params, OTHER[key]
    return Params(
        p.patch,
        p.start,
        swap[p.direction] if key == "direction" else p.direction,
        swap[p.comparison] if key == "comparison" else p.comparison,
        swap[p.bit_order] if key == "bit_order" else p.bit_order,
    )


def _ties(params: Params) -> list[str]:
    patch = params.patch
    return [name for name, (r, c) in NEIGHBOURS.items() if patch[r][c] == patch[1][1]]


def _tie_rule_swapped(params: Params) -> int | None:
    return code(_other(params, "comparison")) if _ties(params) else None


def _bit_string(params: Params, inverted: bool = False) -> str:
    return "".join(map(str, bits(params, inverted)))


def _direction_message(params: Params) -> str:
    wrong = _other(params, "direction")
    first = reading_order(params.start, params.direction)[1]
    return (
        f"you went {wrong.direction}: from {params.start} the next neighbour {params.direction} is "
        f"{first}, so the bits read {_bit_string(params)}, not {_bit_string(wrong)}"
    )


def _bit_order_message(params: Params) -> str:
    weight = "128 (most significant)" if params.bit_order == "msb-first" else "1 (least significant)"
    return (
        f"you used the other bit order: the first bit read (from {params.start}) has weight {weight}, so "
        f"{_bit_string(params)} is {code(params)}, not {code(_other(params, 'bit_order'))}"
    )


def _tie_rule_message(params: Params) -> str:
    centre, op = params.patch[1][1], params.comparison
    tied = ", ".join(_ties(params)) or "none"
    bit = "1" if op == ">=" else "0"
    return (
        f"you used the other tie rule: the bit is 1 when neighbour {op} centre, so a neighbour equal to the "
        f"centre {centre} ({tied}) gives {bit}"
    )


def _inverted_message(params: Params) -> str:
    centre, op = params.patch[1][1], params.comparison
    return (
        f"you compared the wrong way round: a neighbour gives 1 when neighbour {op} centre {centre} (bits "
        f"{_bit_string(params)}), not when centre {op} neighbour ({_bit_string(params, inverted=True)})"
    )


MISTAKES = (
    Mistake("direction-reversed", lambda params: code(_other(params, "direction")), _direction_message),
    Mistake("bit-order-reversed", lambda params: code(_other(params, "bit_order")), _bit_order_message),
    Mistake("tie-rule-swapped", _tie_rule_swapped, _tie_rule_message),
    Mistake("comparison-reversed", lambda params: code(params, inverted=True), _inverted_message),
)


def solve(params: Params) -> Solution:
    patch = params.patch
    centre = patch[1][1]
    order = reading_order(params.start, params.direction)
    read = bits(params)
    bit_grid: list[list[object]] = [["", "", ""] for _ in range(3)]
    for name, bit in zip(order, read):
        r, c = NEIGHBOURS[name]
        bit_grid[r][c] = bit
    bit_grid[1][1] = "c"
    op = params.comparison
    weights = [2 ** (7 - i) for i in range(8)] if params.bit_order == "msb-first" else [2**i for i in range(8)]
    terms = [f"{b}*{w}" for b, w in zip(read, weights)]
    value = code(params)
    ties = [n for n in order if patch[NEIGHBOURS[n][0]][NEIGHBOURS[n][1]] == centre]
    steps = [
        f"Centre = {centre}. A neighbour gives 1 if neighbour {op} {centre}, else 0"
        + (f" (ties with the centre, here {', '.join(ties)}, give {'1' if op == '>=' else '0'})." if ties else "."),
        "Thresholded neighbours (c = centre):\n" + format_grid(bit_grid),
        f"Reading order ({params.direction} from {params.start}): "
        + ", ".join(f"{n} {patch[NEIGHBOURS[n][0]][NEIGHBOURS[n][1]]} -> {b}" for n, b in zip(order, read)),
        f"Bit string in reading order: {''.join(map(str, read))}"
        + (" (first bit most significant)" if params.bit_order == "msb-first" else " (first bit least significant, weight 1)"),
        f"Code = {' + '.join(terms)} = {value}",
    ]
    return Solution(answer=value, steps=steps, kind="integer")


def question_fields(params: Params) -> dict[str, str]:
    order_text = (
        "the first bit read is the most significant (weight 128) and the last the least significant (weight 1)"
        if params.bit_order == "msb-first"
        else "the first bit read is the least significant (weight 1) and the last the most significant (weight 128)"
    )
    op_text = "strictly greater than" if params.comparison == ">" else "greater than or equal to"
    return {
        "patch": format_grid(params.patch),
        "centre": str(params.patch[1][1]),
        "comparison": params.comparison,
        "comparison_words": op_text,
        "start": params.start,
        "direction": params.direction,
        "bit_order_words": order_text,
    }


# --------------------------------------------------------------------------- pictures


def pictures(params: Params) -> list[Grid]:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    return [Grid.of("image", params.patch)]
