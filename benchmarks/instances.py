"""Figure 6: problem instances per second, for every family at every level.

``make_instance(family, level, seed)`` over consecutive seeds, after one
warm-up call (spec parsing and module import are cached by the tool and are
not what a student waits for between two problems). Each (family, level)
runs until ``count`` instances or ``seconds`` have passed, whichever is first.

Baseline: seeding ``random.Random("family/level/seed")``, the fixed cost every
instance pays before any sampling, so the ratio reads "an instance costs as
much as N seedings".
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from benchmarks.common import Figure


@dataclass
class Rate:
    family: str
    level: str
    per_second: float
    made: int


def instance_rate(family: str, level: str, count: int, seconds: float) -> Rate:
    from mli_drill.problems.instance import make_instance

    make_instance(family, level, 0)
    made = 0
    start = time.perf_counter()
    elapsed = 0.0
    while made < count and (elapsed < seconds or made < 20):
        make_instance(family, level, made + 1)
        made += 1
        elapsed = time.perf_counter() - start
    return Rate(family, level, made / elapsed, made)


def seeding_rate(count: int) -> float:
    """Seedings of random.Random with a family/level/seed string per second (the baseline)."""
    start = time.perf_counter()
    for seed in range(count):
        random.Random(f"conv-output/exam/{seed}")
    return count / (time.perf_counter() - start)


def all_rates(count: int, seconds: float, families: list[str] | None = None) -> list[Rate]:
    from mli_drill.problems.registry import family_names
    from mli_drill.problems.spec import LEVELS

    return [instance_rate(f, level, count, seconds) for f in (families or family_names()) for level in LEVELS]


def measure(count: int, seconds: float, families: list[str] | None = None) -> tuple[list[Figure], list[Rate]]:
    rates = all_rates(count, seconds, families)
    baseline = seeding_rate(20_000)
    slowest = min(rates, key=lambda r: r.per_second)
    failing = sorted({r.family for r in rates if r.per_second < 1000})
    per_family = {}
    for rate in rates:
        per_family[rate.family] = min(per_family.get(rate.family, rate.per_second), rate.per_second)
    figure = Figure(
        "instances: slowest family/level, instances per second", slowest.per_second, "/s", "random.Random(str) seedings per s",
        baseline, baseline / slowest.per_second, ">= 1000/s each", slowest.per_second >= 1000,
        f"slowest {slowest.family} ({slowest.level}); ratio = seedings per instance; {len(per_family)} families x 3 levels"
        + (f"; below target: {', '.join(failing)}" if failing else "; all families meet it"),
    )
    return [figure], rates
