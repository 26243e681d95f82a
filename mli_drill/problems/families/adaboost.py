"""AdaBoost with decision stumps, worked by hand for one to three rounds.

The solver enumerates every stump of the family the question defines
(axis-aligned, thresholds at the midpoints between consecutive distinct values
of a feature, both polarities) and follows CONVENTIONS.md exactly: start with
``w_i = 1/N``; pick the stump with the smallest weighted error ``e``;
``alpha = 1/2 ln((1-e)/e)``; ``w_i <- w_i exp(-alpha y_i h(x_i))``, normalised;
``H(x) = sign(sum_t alpha_t h_t(x))``.

A stump ``(feature, threshold, polarity)`` predicts ``polarity`` when
``x[feature] > threshold`` and ``-polarity`` otherwise, so polarity +1 reads
"predict +1 if x > t" and polarity -1 reads "predict +1 if x < t".

Parameters (JSON form), typed as :class:`Params`:
    x       list of numbers (1-D) or list of [x1, x2] points (2-D)
    y       list of labels, each -1 or +1
    rounds  number of boosting rounds (the levels use 1-3)
    ask     "error" | "alpha" | "weights" (all of the LAST round) | "prediction"
    query   the point to classify when ask == "prediction" (a number, or
            [x1, x2]); null or absent otherwise.

A problem is only well posed when every round has exactly one best stump and
``0 < e < 1/2``, and a prediction query gives a non-zero vote away from every
threshold used; ``solve`` raises InvalidParams otherwise and ``sample`` resamples.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from itertools import accumulate, compress, repeat
from operator import mul, ne, not_, truediv
from typing import Any, Callable, Literal, NamedTuple, Sequence

from mli_drill.problems.families.base import Alternatives, InvalidParams, Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import fmt, format_grid, format_table, informative, prefer_informative

Ask = Literal["error", "alpha", "weights", "prediction"]
ASKS: tuple[Ask, ...] = ("error", "alpha", "weights", "prediction")
TIE_TOLERANCE = 1e-9
MAX_ROUNDS = 10


class Stump(NamedTuple):
    """One weak learner: ``polarity`` if x[feature] > threshold, else ``-polarity``.

    A named tuple (feature, threshold, polarity), the same as its key in a stump table;
    a run makes one per round, and a tuple is made faster than a frozen dataclass.
    """

    feature: int
    threshold: float
    polarity: int

    def predict(self, point: tuple[float, ...]) -> int:
        return self.polarity if point[self.feature] > self.threshold else -self.polarity


StumpKey = tuple[int, float, int]  # (feature, threshold, polarity)
StumpTable = dict[StumpKey, list[int]]  # each stump's misclassified samples, in index order


@dataclass(slots=True)
class Round:
    """Everything a tutor writes down for one boosting round (read, never changed).

    ``errors`` (every stump's weighted error, for the worked solution's table)
    is added up when first read, from ``stumps`` and ``weights_before``: a run
    whose stumps are known beforehand does not need it (see ``run_adaboost``).
    Not frozen: a run makes several, and a frozen dataclass is three times
    slower to make.
    """

    stump: Stump
    weights_before: list[float]
    mistakes: list[int]  # 0-based indices misclassified by the chosen stump
    error: float
    alpha: float
    unnormalised: list[float]
    weights_after: list[float]
    stumps: Stumps = field(repr=False, compare=False)
    known_errors: dict[StumpKey, float] | None = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> dict[StumpKey, float]:
        """(feature, threshold, polarity) -> weighted error, for every stump, in the table's order."""
        if self.known_errors is None:
            self.known_errors = stump_errors(self.stumps.table, self.weights_before)
        return self.known_errors


class Degenerate(Exception):
    """The data do not give a well-posed problem (tie, e = 0, e >= 1/2...)."""


class Tie(Degenerate):
    """Several stumps share the smallest weighted error.

    The message names them all, so it is written only when shown: the sampler
    rejects many tied draws and never reads it.
    """

    def __init__(self, t: int, error: float, stumps: list[tuple[int, float, int]], dims: int) -> None:
        super().__init__(t, error, stumps, dims)
        self.t, self.error, self.stumps, self.dims = t, error, stumps, dims

    def __str__(self) -> str:
        names = ", ".join(describe(Stump(*key), self.dims) for key in self.stumps)
        return f"round {self.t}: several stumps share the smallest weighted error {fmt(self.error)}: {names}"


# --------------------------------------------------------------------------- solver


def feature_names(dims: int) -> list[str]:
    return ["x"] if dims == 1 else [f"x{j + 1}" for j in range(dims)]


def candidate_thresholds(points: list[tuple[float, ...]], feature: int) -> list[float]:
    """Midpoints between consecutive distinct values: the only thresholds the family allows."""
    values = sorted({p[feature] for p in points})
    return [(a + b) / 2 for a, b in zip(values, values[1:])]


class Stumps:
    """The stumps of some data, each with the samples it misclassifies (in index order).

    The whole table is built when first needed (a round that searches every
    stump, or the worked solution's table of errors); a run whose stumps are
    known beforehand reads only theirs, and the sampler keeps most of its draws
    for a prediction question without ever building it.
    """

    def __init__(self, points: list[tuple[float, ...]], labels: list[int], table: StumpTable | None = None) -> None:
        self.points, self.labels, self._table = points, labels, table

    @property
    def table(self) -> StumpTable:
        if self._table is None:
            self._table = stump_mistakes(self.points, self.labels)
        return self._table

    def missed(self, key: StumpKey) -> list[int]:
        """``table[key]``, without the table."""
        if self._table is not None:
            return self._table[key]
        feature, threshold, polarity = key
        disagree = [(p[feature] > threshold) != (label == 1) for p, label in zip(self.points, self.labels)]
        return [i for i, d in enumerate(disagree) if d == (polarity == 1)]

    def none(self) -> bool:
        """Whether there is no stump at all: every feature is constant."""
        if self._table is not None:
            return not self._table
        return all(len({p[feature] for p in self.points}) < 2 for feature in range(len(self.points[0])))


def stump_errors(table: StumpTable, weights: list[float]) -> dict[StumpKey, float]:
    """Each stump's weighted error: the weights of its mistakes added in index order."""
    weight = weights.__getitem__
    return {key: sum(map(weight, wrong)) for key, wrong in table.items()}


def stump_mistakes(points: list[tuple[float, ...]], labels: list[int]) -> StumpTable:
    """For every stump, the indices it misclassifies (computed once; rounds only re-weight them,
    and the slipped runs of the mistake catalogue share it with the course's run)."""
    table: StumpTable = {}
    positive = [label == 1 for label in labels]
    indices = range(len(points))
    for feature in range(len(points[0])):
        column = [p[feature] for p in points]
        for threshold in candidate_thresholds(points, feature):
            # "+1 if x > t" misclassifies the samples where "x > t" and "y = +1" disagree
            disagree = list(map(ne, [v > threshold for v in column], positive))
            table[(feature, threshold, 1)] = list(compress(indices, disagree))
            table[(feature, threshold, -1)] = list(compress(indices, map(not_, disagree)))
    return table


@dataclass(frozen=True)
class Procedure:
    """How a round's steps are done: the course's way by default (CONVENTIONS.md).

    The mistake catalogue runs the same rounds with one step done wrong, so
    each slip is a changed field here rather than a second copy of the loop.
    """

    alpha_factor: float = 0.5  # alpha = factor · log((1 - e)/e)
    log_base: float = math.e
    update_sign: int = -1  # w_i <- w_i exp(update_sign · alpha y_i h(x_i))
    normalise: bool = True
    weighted_error: bool = True  # False: e = the fraction of samples the chosen stump misclassifies

    @property
    def is_course(self) -> bool:
        return self is COURSE or self == COURSE


COURSE = Procedure()


def run_adaboost(
    points: list[tuple[float, ...]],
    labels: list[int],
    rounds: int,
    procedure: Procedure = COURSE,
    stumps: Stumps | None = None,
    chosen: Sequence[StumpKey] = (),
) -> list[Round]:
    """Run the rounds; raise Degenerate when a round has no single best stump or a bad error.

    The stump is always the one of least weighted error (with the weights as
    they stand). The course's run also needs ``0 < e < 1/2``; a slipped run
    only needs an alpha a student can compute, ``0 < e < 1``. ``stumps`` are
    those of ``points`` and ``labels`` when the caller already has them.

    ``chosen`` are the stumps of the first rounds when the caller knows them
    already (the course's from ``exact_rounds``; round 1's, which every run
    shares, since all start from the weights 1/N): those rounds skip adding up
    every stump's error, and compute the rest exactly as the search would.
    """
    if stumps is None:
        stumps = Stumps(points, labels)
    if not chosen and stumps.none():  # (a chosen stump is one)
        raise Degenerate("every feature is constant, so there is no stump")
    n = len(points)
    weights = [1.0 / n] * n
    ceiling = 0.5 if procedure.is_course else 1.0
    history: list[Round] = []
    for t in range(1, rounds + 1):
        errors: dict[StumpKey, float] | None = None
        if t <= len(chosen):
            key = chosen[t - 1]
            wrong = stumps.missed(key)
            best_error = sum(map(weights.__getitem__, wrong))  # what the search's errors hold for it
        else:
            errors = stump_errors(stumps.table, weights)
            best_error = min(errors.values())
            best = [key for key, e in errors.items() if e <= best_error + TIE_TOLERANCE]
            if len(best) > 1:
                raise Tie(t, best_error, best, len(points[0]))
            key = best[0]
            wrong = stumps.missed(key)
        error = best_error if procedure.weighted_error else len(wrong) / n
        if error <= TIE_TOLERANCE:
            raise Degenerate(f"round {t}: a stump classifies every sample correctly (e = 0), so alpha is infinite")
        if error >= ceiling - TIE_TOLERANCE:
            raise Degenerate(f"round {t}: the best weighted error is {fmt(error)} >= {fmt(ceiling)}")
        alpha = procedure.alpha_factor * math.log((1 - error) / error, procedure.log_base)
        # w_i exp(update_sign · alpha y_i h(x_i)): y_i h(x_i) is -1 for the samples the stump
        # misclassifies (wrong) and +1 for the others, so two factors serve every sample
        exponent = procedure.update_sign * alpha
        factors = [math.exp(exponent)] * n
        changed = math.exp(-exponent)
        for i in wrong:
            factors[i] = changed
        unnormalised = list(map(mul, weights, factors))
        total = sum(unnormalised)
        new_weights = list(map(truediv, unnormalised, repeat(total, n))) if procedure.normalise else unnormalised
        history.append(Round(Stump(*key), weights, sorted(wrong), error, alpha, unnormalised, new_weights, stumps, errors))
        weights = new_weights
    return history


# The largest integer weight total at which ``exact_rounds`` vouches for the floating-point
# run: its distinct errors then differ by at least 1/total = 1e-6 (and an error under 1/2 is
# at most 1/2 - 5e-7), far beyond the run's tie tolerance (1e-9) and its rounding (~1e-14).
EXACT_TOTAL_LIMIT = 10**6


@lru_cache(maxsize=16)
def exact_rounds(
    points: tuple[tuple[float, ...], ...], labels: tuple[int, ...], rounds: int
) -> tuple[str, tuple[StumpKey, ...]]:
    """The course's rounds in exact arithmetic: ("fails", ()), ("clear", the chosen stumps) or ("unclear", ()).

    The sampler rejects most of its draws, and this rejects them without the
    stump table and the floating-point run. The course's weights stay rational:
    with integer weights ``W`` summing to ``T`` and a chosen stump of weight
    ``E``, the update gives each misclassified sample ``W (T - E)`` and each
    other ``W E`` (a common factor apart). Exact ties are ties in floating point
    too (the run's rounding is ~1e-15, its tie tolerance 1e-9), as are ``E = 0``
    and ``2E >= T``: "fails" means ``run_adaboost`` raises Degenerate. "clear"
    means it chooses these stumps and raises nothing, while every total stays
    within ``EXACT_TOTAL_LIMIT`` (always, for the levels' data); beyond it the
    answer is "unclear" and only the floating-point run can tell.
    Cached, as the sampler asks first and ``course_of`` again for a kept draw.
    """
    n = len(points)
    sweeps = []  # per feature: (feature, the samples sorted by value, the positions where a threshold lies)
    errors: list[int] = []  # round 1's, weights all 1: per feature "+1 if x > t" at each cut, then "+1 if x < t"
    for feature in range(len(points[0])):
        ranked = sorted(zip([p[feature] for p in points], labels, range(n)))  # (value, label, index)
        wrong = labels.count(-1)  # every sample above t: "+1 if x > t" misses the negatives
        cuts, above = [], []
        previous = ranked[0][0]
        for position, (value, label, _) in enumerate(ranked):
            if value != previous:  # a threshold between the samples before this position and the rest
                cuts.append(position)
                above.append(wrong)
                previous = value
            wrong += label  # the sample moves below t: a positive is now missed, a negative no longer
        if cuts:
            sweeps.append((feature, ranked, cuts))
            errors += above
            errors += [n - e for e in above]
    if not sweeps:
        return "fails", ()
    orders: list[list[int]] = []  # per feature, the samples' indices in order of value (made when round 2 needs them)
    positive = [label == 1 for label in labels]
    weights = [1] * n
    total = n
    chosen: list[StumpKey] = []
    for t in range(1, rounds + 1):
        if total > EXACT_TOTAL_LIMIT:
            return "unclear", ()
        if t > 1:
            signed = [w if plus else -w for w, plus in zip(weights, positive)]
            negatives = (total - sum(signed)) // 2
            if not orders:
                orders = [[i for _, _, i in ranked] for _, ranked, _ in sweeps]
            errors = []
            for (_, _, cuts), order in zip(sweeps, orders):
                # running[c]: the samples before position c moved below t
                running = list(accumulate(map(signed.__getitem__, order), initial=negatives))
                above = [running[c] for c in cuts]
                errors += above
                errors += [total - e for e in above]
        error = min(errors)
        if error == 0 or 2 * error >= total or errors.count(error) > 1:
            return "fails", ()
        where = errors.index(error)
        for feature, ranked, cuts in sweeps:
            if where < 2 * len(cuts):
                break
            where -= 2 * len(cuts)
        polarity = 1 if where < len(cuts) else -1
        cut = cuts[where % len(cuts)]
        chosen.append((feature, (ranked[cut - 1][0] + ranked[cut][0]) / 2, polarity))
        if t == rounds:
            break
        below = {i for _, _, i in ranked[:cut]}
        # "+1 if x > t" misses a positive below t and a negative above it; the other polarity the rest
        missed = [((i in below) == positive[i]) == (polarity == 1) for i in range(n)]
        weights = [w * (total - error) if miss else w * error for w, miss in zip(weights, missed)]
        common = math.gcd(*weights)
        weights = [w // common for w in weights]
        total = sum(weights)
    return "clear", tuple(chosen)


@lru_cache(maxsize=64)
def _course(points: tuple[tuple[float, ...], ...], labels: tuple[int, ...], rounds: int) -> tuple[Stumps, list[Round]]:
    """The stumps and the course's run on some data (raises Degenerate), cached: the sampler's
    informative check, ``solve`` and the mistake messages each need the same run of one instance.
    Callers read the result and never change it."""
    stumps = Stumps(list(points), list(labels))
    status, chosen = exact_rounds(points, labels, rounds)
    # "fails": the floating-point run raises Degenerate too, and says why
    return stumps, run_adaboost(list(points), list(labels), rounds, stumps=stumps, chosen=chosen)


def course_of(points: list[tuple[float, ...]], labels: Sequence[int], rounds: int) -> tuple[Stumps, list[Round]]:
    return _course(tuple(points), tuple(labels), rounds)


def vote(history: list[Round], query: tuple[float, ...]) -> float:
    return sum(r.alpha * r.stump.predict(query) for r in history)


# --------------------------------------------------------------------------- params

Number = int | float  # whole numbers stay integers in the JSON


def points_of(x: Sequence[Any]) -> list[tuple[float, ...]]:
    """``x`` (the JSON form, or :attr:`Params.x`) as a list of point tuples; 1-D numbers become 1-tuples."""
    if isinstance(x[0], (tuple, list)):
        return [tuple(v) for v in x]
    return [(v,) for v in x]


@dataclass(frozen=True)
class Problem:
    """The params as the solver reads them: points as tuples (1-D: 1-tuples), the query as a point."""

    points: list[tuple[float, ...]]
    labels: list[int]
    rounds: int
    ask: str
    query: tuple[float, ...] | None

    @property
    def dims(self) -> int:
        return len(self.points[0])


@dataclass(frozen=True)
class Params:
    x: tuple[Number, ...] | tuple[tuple[Number, ...], ...]  # 1-D numbers, or points [x1, x2]
    y: tuple[Literal[-1, 1], ...]  # one label per sample
    rounds: int
    ask: Ask  # error, alpha, weights (all of the LAST round) or prediction
    query: Number | tuple[Number, ...] | None = None  # the point to classify when ask is prediction, else null

    def __post_init__(self) -> None:
        x, query = self.x, self.query
        require(len(x) >= 2, "x", "must list at least 2 samples")
        points = points_of(x)
        dims = len(points[0])
        require(dims >= 1 and all(len(p) == dims for p in points), "x", "2-D x must be points of equal length, e.g. [[1, 2], [3, 0]]")
        require(all(math.isfinite(c) for p in points for c in p), "x", "must hold finite numbers")
        require(len(self.y) == len(x), "y", f"must give one label per sample: {len(self.y)} for {len(x)} samples")
        require(1 <= self.rounds <= MAX_ROUNDS, "rounds", f"must be from 1 to {MAX_ROUNDS}, got {self.rounds}")
        if self.ask != "prediction":
            require(query is None, "query", f"must be null unless ask is 'prediction' (ask is {self.ask!r})")
            return
        require(query is not None, "query", "ask 'prediction' needs a query point")
        point = () if query is None else query if isinstance(query, tuple) else (query,)
        require(len(point) == dims, "query", f"must be a point with {dims} coordinate(s)")
        require(all(math.isfinite(c) for c in point), "query", "must hold finite numbers")

    @cached_property
    def problem(self) -> Problem:
        """The parsed form the solver reads (made once per instance; not part of the JSON)."""
        query = self.query
        point = None if query is None else query if isinstance(query, tuple) else (query,)
        return Problem(points_of(self.x), list(self.y), self.rounds, self.ask, point)


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    dims: tuple[Literal[1, 2], ...] = (1,)  # feature dimensions to choose from
    n: tuple[int, int] = (5, 6)  # [min, max] samples
    values: tuple[int, int] = (0, 9)  # [low, high] integer coordinates
    values_2d: tuple[int, int] | None = None  # the same for 2-D data (default: values)
    rounds: tuple[int, int] = (1, 2)  # [min, max] boosting rounds
    max_rounds_2d: int | None = None  # cap on the rounds when the data are 2-D (hand work); default: no cap
    asks: tuple[Ask, ...] = ASKS  # which quantity is asked for

    def __post_init__(self) -> None:
        require(bool(self.dims), "dims", "must be a non-empty list")
        require(2 <= self.n[0] <= self.n[1], "n", "must be [min, max] with 2 <= min <= max")
        for name in ("values", "values_2d"):
            low, high = getattr(self, name) or self.values
            require(low < high, name, "must be [low, high] with low < high")
        low, high = self.values
        require(1 not in self.dims or high - low + 1 >= self.n[1], "values", f"must hold at least {self.n[1]} distinct values (n's max)")
        low, high = self.values_2d or self.values
        require(2 not in self.dims or (high - low + 1) ** 2 >= self.n[1], "values_2d", f"must hold at least {self.n[1]} distinct points (n's max)")
        require(1 <= self.rounds[0] <= self.rounds[1] <= MAX_ROUNDS, "rounds", f"must be [min, max] with 1 <= min <= max <= {MAX_ROUNDS}")
        require(self.max_rounds_2d is None or self.max_rounds_2d >= self.rounds[0], "max_rounds_2d", "must be at least the fewest rounds")
        require(bool(self.asks), "asks", "must be a non-empty list")


def check_query(history: list[Round], query: tuple[float, ...]) -> float:
    """The final vote at the query, or Degenerate if the answer would be ambiguous."""
    for r in history:
        if query[r.stump.feature] == r.stump.threshold:
            raise Degenerate("the query lies exactly on a threshold used by a stump")
    total = vote(history, query)
    if abs(total) <= TIE_TOLERANCE:
        raise Degenerate("the weighted vote at the query is 0, so sign(H) is undefined")
    return total


# --------------------------------------------------------------------------- sampling


def _draw_points(rng: random.Random, dims: int, n: int, low: int, high: int) -> list[tuple[float, ...]]:
    """n distinct points as tuples (1-D: sorted 1-tuples)."""
    if dims == 1:
        return [(v,) for v in sorted(rng.sample(range(low, high + 1), n))]
    return rng.sample(_grid(low, high), n)


@lru_cache(maxsize=16)
def _grid(low: int, high: int) -> tuple[tuple[int, int], ...]:
    """Every integer point of the square, in the order the sampler draws from (built once per range)."""
    return tuple((a, b) for a in range(low, high + 1) for b in range(low, high + 1))


def sample(rng: random.Random, level: Level) -> Params:
    """Draw the question's shape (dimensions, rounds, what is asked), then data until the run
    is well posed, preferring data on which the common slips can be told apart."""
    dims = rng.choice(level.dims)
    round_low, round_high = level.rounds
    if dims > 1 and level.max_rounds_2d is not None:
        round_high = min(round_high, level.max_rounds_2d)
    rounds = rng.randint(round_low, round_high)
    ask = rng.choice(level.asks)
    return prefer_informative(lambda: _draw(rng, level, dims, rounds, ask), _informative_run).params


@dataclass(frozen=True)
class Run:
    """A drawn instance with the course's run on it, kept so the informative check reuses it."""

    params: Params
    problem: Problem
    stumps: Stumps
    history: list[Round]


def _draw(rng: random.Random, level: Level, dims: int, rounds: int, ask: Ask) -> Run:
    n_low, n_high = level.n
    low, high = level.values if dims == 1 else level.values_2d or level.values
    rejections = Rejections()
    while True:
        n = rng.randint(n_low, n_high)
        points: list[tuple[float, ...]] = _draw_points(rng, dims, n, low, high)
        y: list[Literal[-1, 1]] = [rng.choice((-1, 1)) for _ in range(n)]
        query: int | tuple[int, ...] | None = None
        if ask == "prediction":
            query = rng.randint(low, high) if dims == 1 else tuple([rng.randint(low, high) for _ in range(dims)])
        if exact_rounds(tuple(points), tuple(y), rounds)[0] == "fails":
            rejections.again()
            continue
        point_query = None if query is None else ((query,) if isinstance(query, int) else query)
        try:
            stumps, history = course_of(points, y, rounds)
            if point_query is not None:
                check_query(history, point_query)
        except Degenerate:
            rejections.again()
            continue
        x = tuple([p[0] for p in points]) if dims == 1 else tuple(points)
        params = Params(x, tuple(y), rounds, ask, query)
        return Run(params, params.problem, stumps, history)


# Twice the answer tolerance of problems/adaboost.yaml (rel 0.01, abs 0.0005): values
# closer than this could both be "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.001}


def _informative(params: Params) -> bool:
    """The slips give values apart from the answer and from each other.

    A prediction is -1 or +1, so its slips cannot all differ from each other;
    there the slip that matters is the last stump overruled by the earlier votes.
    """
    problem = params.problem
    history = course_run(problem)  # InvalidParams when the course's run is not well posed
    stumps = course_of(problem.points, problem.labels, problem.rounds)[0]
    return _informative_run(Run(params, problem, stumps, history))


def _informative_run(run: Run) -> bool:
    """``_informative`` on a drawn run: the answer is read off the course's run (no worked
    solution is written), and the slips are computed one at a time, stopping at the first
    that collides (each slip is a whole run of the rounds)."""
    problem = run.problem
    if problem.ask == "prediction":
        values: Any = (last_stump_vote(problem, run.history),)
    else:
        values = (slipped_value(mistake_id, problem, run.stumps, run.history) for mistake_id in SLIPPED)
    return informative(asked_value(problem, run.history), values, **SEPARATION)


# --------------------------------------------------------------------------- wording


def describe(stump: Stump, dims: int) -> str:
    """'predict +1 if x > 2.5 (else -1)'."""
    name = feature_names(dims)[stump.feature]
    sign = ">" if stump.polarity == 1 else "<"
    return f"predict +1 if {name} {sign} {fmt(stump.threshold)} (else -1)"


@lru_cache(maxsize=256)
def threshold_text(threshold: float) -> str:
    """``fmt`` of a threshold (cached: every round's table repeats them)."""
    return fmt(threshold)


@lru_cache(maxsize=1024)
def exact(x: float) -> str:
    """A weight or error as a fraction when it is one (they are rational here), else a decimal."""
    frac = Fraction(x).limit_denominator(10_000)
    if frac.denominator != 1 and abs(float(frac) - x) < 1e-12 and frac.denominator <= 1000:
        return f"{frac} ≈ {fmt(x)}"
    return fmt(x)


@lru_cache(maxsize=4096)
def short(x: float) -> str:
    """A rational weight as "5/28" (exact), else a decimal; cached because tables repeat values."""
    frac = Fraction(x).limit_denominator(1000)
    if abs(float(frac) - x) < 1e-12:
        return str(frac.numerator) if frac.denominator == 1 else f"{frac}"
    return fmt(x)


def label(v: int) -> str:
    return "+1" if v > 0 else "-1"


def point_text(point: tuple[float, ...]) -> str:
    if len(point) == 1:
        return f"x = {fmt(point[0])}"
    names = ", ".join(feature_names(len(point)))
    return f"({names}) = ({', '.join(fmt(c) for c in point)})"


def data_table(problem: Problem) -> str:
    rows: list[list[object]] = [["i", *[str(i + 1) for i in range(len(problem.points))]]]
    for j, name in enumerate(feature_names(problem.dims)):
        rows.append([name, *[p[j] for p in problem.points]])
    rows.append(["y", *[label(v) for v in problem.labels]])
    return format_grid(rows)


def question_fields(params: Params) -> dict[str, str]:
    problem = params.problem
    rounds = problem.rounds
    fields = {
        "variant": problem.ask,
        "n": str(len(problem.points)),
        "table": data_table(problem),
        "rounds": str(rounds),
        "rounds_text": "1 round" if rounds == 1 else f"{rounds} rounds",
        "last": str(rounds),
        "features": "x" if problem.dims == 1 else " and ".join(feature_names(problem.dims)),
        "query": point_text(problem.query) if problem.query else "",
    }
    return fields


# --------------------------------------------------------------------------- worked solution


def error_table(problem: Problem, r: Round) -> str:
    """Weighted error of every stump in the round, one grid per feature, both polarities.

    ``r.errors`` lists the stumps by feature, then threshold (ascending), "+1 if x > t" before
    "+1 if x < t" (the order of ``stump_mistakes``), so one pass over it fills the rows.
    """
    tables: list[tuple[list[object], list[object], list[object]]] = [
        (["t"], [f"+1 if {name} > t"], [f"+1 if {name} < t"]) for name in feature_names(problem.dims)
    ]
    for (feature, threshold, polarity), error in r.errors.items():
        thresholds, above, below = tables[feature]
        if polarity == 1:
            thresholds.append(threshold_text(threshold))
            above.append(short(error))
        else:
            below.append(short(error))
    return "\n\n".join(format_table(rows) for rows in tables)


def round_steps(problem: Problem, t: int, r: Round) -> list[str]:
    dims = problem.dims
    wrong = r.mistakes
    wrong_text = ", ".join(str(i + 1) for i in wrong)
    names = " + ".join(f"w_{i + 1}" for i in wrong)
    values = " + ".join(short(r.weights_before[i]) for i in wrong)
    weight_sum = f"{names} = {values}" if len(wrong) > 1 else names
    steps = [
        f"Round {t}: weighted error of every stump (sum of the weights of the samples it gets wrong):\n"
        + error_table(problem, r),
        f"Round {t}: the single smallest error belongs to the stump '{describe(r.stump, dims)}'. "
        f"It misclassifies sample{'s' if len(wrong) > 1 else ''} {wrong_text}, so "
        f"e_{t} = {weight_sum} = {exact(r.error)}.",
        f"alpha_{t} = 1/2 ln((1 - e_{t}) / e_{t}) = 1/2 ln({short((1 - r.error) / r.error)}) = {fmt(r.alpha)}.",
    ]
    grow, shrink = math.exp(r.alpha), math.exp(-r.alpha)
    total = sum(r.unnormalised)
    steps.append(
        f"Update: misclassified samples are multiplied by exp(alpha_{t}) = {fmt(grow)}, the others by "
        f"exp(-alpha_{t}) = {fmt(shrink)}: [{', '.join(fmt(w) for w in r.unnormalised)}], sum {fmt(total)}. "
        f"Normalised: w = [{', '.join(short(w) for w in r.weights_after)}] "
        f"(the misclassified samples now hold exactly half of the weight)."
    )
    return steps


def prediction_steps(problem: Problem, history: list[Round], total: float) -> list[str]:
    query = problem.query
    assert query is not None
    terms = []
    for t, r in enumerate(history, start=1):
        h = r.stump.predict(query)
        terms.append((t, r, h))
    lines = [
        f"h_{t}: '{describe(r.stump, problem.dims)}' gives {label(h)} at the query" for t, r, h in terms
    ]
    sum_text = " + ".join(f"{fmt(r.alpha)}·({label(h)})" for _, r, h in terms)
    return [
        f"Query {point_text(query)}:\n" + "\n".join(lines),
        f"H = sign({sum_text}) = sign({fmt(total)}) = {label(1 if total > 0 else -1)}.",
    ]


def asked_value(problem: Problem, history: list[Round]) -> Any:
    """The quantity the question asks for, read off a run (the course's or a slipped one).

    Raises Degenerate when a prediction would be ambiguous (query on a
    threshold, zero vote).
    """
    last = history[-1]
    if problem.ask == "error":
        return round(last.error, 12)
    if problem.ask == "alpha":
        return round(last.alpha, 12)
    if problem.ask == "weights":
        return [round(w, 12) for w in last.weights_after]
    assert problem.query is not None
    return 1 if check_query(history, problem.query) > 0 else -1


def solve(params: Params) -> Solution:
    problem = params.problem
    try:
        history = course_of(problem.points, problem.labels, problem.rounds)[1]
        answer = asked_value(problem, history)
    except Degenerate as exc:
        raise InvalidParams(f"not a well-posed AdaBoost problem: {exc}") from None
    n = len(problem.points)
    steps = [f"Start with equal weights w_i = 1/{n} ≈ {fmt(1 / n)}."]
    for t, r in enumerate(history, start=1):
        steps.extend(round_steps(problem, t, r))
    last = history[-1]
    if problem.ask == "error":
        return Solution(answer=answer, steps=steps, kind="real", display=exact(last.error))
    if problem.ask == "alpha":
        return Solution(answer=answer, steps=steps, kind="real", display=fmt(last.alpha))
    if problem.ask == "weights":
        display = "[" + ", ".join(short(w) for w in last.weights_after) + "]"
        return Solution(answer=answer, steps=steps, kind="vector", display=display)
    assert problem.query is not None
    steps.extend(prediction_steps(problem, history, vote(history, problem.query)))
    return Solution(answer=answer, steps=steps, kind="integer", display=label(answer))


# --------------------------------------------------------------------------- mistake catalogue

# Each slip is the course's run with one step of every round done differently.
SLIPPED = {
    "alpha-without-half": (Procedure(alpha_factor=1.0),),
    "alpha-log10": (Procedure(log_base=10.0),),
    "weights-not-normalised": (Procedure(normalise=False),),
    "weights-update-inverted": (Procedure(update_sign=1), Procedure(update_sign=1, normalise=False)),
    "unweighted-error": (Procedure(weighted_error=False),),
}


def _changes_the_asked_value(mistake_id: str, problem: Problem) -> bool:
    """Whether the slipped step comes before the asked quantity.

    A slip in alpha changes alpha, the weights and every later round; a slip in
    the weight update changes the weights and every later round; round 1's
    weights are all 1/N, so the unweighted error only differs from round 2 on.
    (Scaling every alpha alike cannot change a one-round prediction's sign.)
    """
    later_rounds = problem.rounds >= 2
    if mistake_id in ("alpha-without-half", "alpha-log10"):
        return problem.ask in ("alpha", "weights") or later_rounds
    if mistake_id in ("weights-not-normalised", "weights-update-inverted"):
        return problem.ask == "weights" or later_rounds
    return later_rounds


def _slipped_run(mistake_id: str) -> Callable[[Params], Any]:
    """The asked value of the run with the slip made: None where the slip changes nothing asked,
    or where the slipped run is not well posed (a tie for the best stump, an alpha with no value)."""

    def answer(params: Params) -> Any:
        return slipped_value(mistake_id, params.problem)

    return answer


def slipped_value(
    mistake_id: str, problem: Problem, stumps: Stumps | None = None, course: list[Round] | None = None
) -> Any:
    """The value of one slip in ``SLIPPED`` for a parsed problem (``stumps``: its stumps, and
    ``course``: the course's run on it, when known; the slipped runs share their round 1 errors)."""
    if not _changes_the_asked_value(mistake_id, problem):
        return None
    if stumps is None or course is None:
        try:
            stumps, course = course_of(problem.points, problem.labels, problem.rounds)
        except Degenerate:  # hand-given data the course cannot run on: the slipped run starts afresh
            stumps, course = Stumps(problem.points, problem.labels), None
    # every run starts from the weights 1/N, so the slipped run's round 1 chooses the course's stump
    first = [(course[0].stump.feature, course[0].stump.threshold, course[0].stump.polarity)] if course else []
    values = []
    for procedure in SLIPPED[mistake_id]:
        try:
            run = run_adaboost(problem.points, problem.labels, problem.rounds, procedure, stumps, first)
            values.append(asked_value(problem, run))
        except Degenerate:
            values.append(None)
    return values[0] if len(values) == 1 else Alternatives(tuple(values))


def course_run(problem: Problem) -> list[Round]:
    try:
        return course_of(problem.points, problem.labels, problem.rounds)[1]
    except Degenerate as exc:
        raise InvalidParams(f"not a well-posed AdaBoost problem: {exc}") from None


def last_stump_vote(problem: Problem, history: list[Round]) -> int | None:
    """The last stump's own vote at the query (the last-stump-only slip), given the course's run."""
    if problem.ask != "prediction" or problem.rounds < 2 or problem.query is None:
        return None
    return history[-1].stump.predict(problem.query)


def _last_stump_only(params: Params) -> int | None:
    problem = params.problem
    if problem.ask != "prediction" or problem.rounds < 2 or problem.query is None:
        return None
    return last_stump_vote(problem, course_run(problem))


def _first_round(params: Params) -> Round:
    return course_run(params.problem)[0]


def _alpha_without_half_message(params: Params) -> str:
    r = _first_round(params)
    ratio = (1 - r.error) / r.error
    return (
        f"you left out the 1/2 in alpha: alpha_1 = 1/2 ln((1 - e_1) / e_1) = 1/2 ln({short(ratio)}) = {fmt(r.alpha)}, "
        f"not ln({short(ratio)}) = {fmt(math.log(ratio))} (and so in every round)"
    )


def _alpha_log10_message(params: Params) -> str:
    r = _first_round(params)
    ratio = (1 - r.error) / r.error
    return (
        f"you used log10 in alpha: alpha_1 = 1/2 ln({short(ratio)}) = {fmt(r.alpha)} with the natural log, "
        f"not 1/2 log10({short(ratio)}) = {fmt(0.5 * math.log10(ratio))} (and so in every round)"
    )


def _not_normalised_message(params: Params) -> str:
    r = _first_round(params)
    total = sum(r.unnormalised)
    return (
        f"you did not normalise the weights: round 1's update gives [{', '.join(fmt(w) for w in r.unnormalised)}], "
        f"sum {fmt(total)}; dividing each by the sum gives [{', '.join(short(w) for w in r.weights_after)}], which sums to 1"
    )


def _update_inverted_message(params: Params) -> str:
    r = _first_round(params)
    wrong = ", ".join(str(i + 1) for i in r.mistakes)
    return (
        f"you flipped the sign in the weight update: w_i <- w_i exp(-alpha y_i h(x_i)) multiplies the misclassified "
        f"sample{'s' if len(r.mistakes) > 1 else ''} ({wrong}) by exp(alpha_1) = {fmt(math.exp(r.alpha))} and the others by "
        f"exp(-alpha_1) = {fmt(math.exp(-r.alpha))}, so the mistakes gain weight, not the other way round"
    )


def _unweighted_error_message(params: Params) -> str:
    problem = params.problem
    history = course_run(problem)
    if len(history) < 2:  # not reached by diagnosis: in round 1 every weight is 1/N
        return "you counted the misclassified samples instead of adding their weights"
    r = history[1]
    names = " + ".join(f"w_{i + 1}" for i in r.mistakes)
    values = " + ".join(short(r.weights_before[i]) for i in r.mistakes)
    return (
        f"you counted the misclassified samples instead of adding their weights: round 2's stump misclassifies "
        f"{len(r.mistakes)} of the {len(problem.points)} samples, but e_2 = {names} = {values} = {exact(r.error)} "
        f"with the weights after round 1"
    )


def _last_stump_only_message(params: Params) -> str:
    problem = params.problem
    history = course_run(problem)
    assert problem.query is not None
    terms = [(r, r.stump.predict(problem.query)) for r in history]
    total = vote(history, problem.query)
    sum_text = " + ".join(f"{fmt(r.alpha)}·({label(h)})" for r, h in terms)
    return (
        f"you let the last stump decide alone: h_{len(history)} gives {label(terms[-1][1])} at the query, but "
        f"H = sign({sum_text}) = sign({fmt(total)}) = {label(1 if total > 0 else -1)} weighs every round's vote"
    )


MISTAKES = (
    Mistake("alpha-without-half", _slipped_run("alpha-without-half"), _alpha_without_half_message),
    Mistake("alpha-log10", _slipped_run("alpha-log10"), _alpha_log10_message),
    Mistake("weights-not-normalised", _slipped_run("weights-not-normalised"), _not_normalised_message),
    Mistake("weights-update-inverted", _slipped_run("weights-update-inverted"), _update_inverted_message),
    Mistake("unweighted-error", _slipped_run("unweighted-error"), _unweighted_error_message),
    Mistake("last-stump-only", _last_stump_only, _last_stump_only_message),
)
