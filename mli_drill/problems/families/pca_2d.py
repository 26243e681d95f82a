"""PCA in two dimensions: eigenvalues, explained-variance share and the first principal axis.

The covariance is either given (a symmetric 2x2 matrix) or computed from a
handful of integer points as the SAMPLE covariance, dividing by N - 1 like
numpy.cov and scikit-learn's PCA. Generated matrices have integer eigenvalues
(for points: the scatter matrix sum of centred outer products has integer
eigenvalues, so the covariance's are simple fractions), so the whole problem
can be done by hand.

Parameters (JSON form), typed as :class:`Params`:
    source  "covariance" (give cov) or "points" (give points)
    cov     [[a, b], [b, c]]: a symmetric covariance matrix (source "covariance"; else null/absent)
    points  list of [x, y] (source "points"; else null/absent), at least 2 points
    ask     "largest_eigenvalue" | "explained_variance" (share of the first component,
            lambda1 / (lambda1 + lambda2)) | "first_axis" (unit eigenvector of the largest
            eigenvalue, sign chosen so that its first nonzero component is positive)

The two eigenvalues must differ (else the first axis is not unique) and the
total variance must be positive (``Params`` checks this, and the rest, on creation).

The catalogued slips (``MISTAKES``) reuse the same maths with one step done
wrong: the covariance divided by N, the smaller eigenvalue taken, the
off-diagonal covariance ignored, or the axis left unnormalised.
"""

from __future__ import annotations

import math
import random
from dataclasses import KW_ONLY, dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
from operator import mul
from typing import Literal

from mli_drill.problems.families.base import Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import fmt, format_grid, informative, prefer_informative

Source = Literal["covariance", "points"]
Ask = Literal["largest_eigenvalue", "explained_variance", "first_axis"]
ASKS: tuple[Ask, ...] = ("largest_eigenvalue", "explained_variance", "first_axis")
Matrix = list[list[Fraction]]


@dataclass(frozen=True)
class Params:
    source: Source
    cov: tuple[tuple[float, float], tuple[float, float]] | None = None  # [[a, b], [b, c]] (source "covariance")
    points: tuple[tuple[float, float], ...] | None = None  # [x, y] each (source "points")
    _: KW_ONLY
    ask: Ask

    def __post_init__(self) -> None:
        if self.source == "covariance":
            require(self.points is None, "points", "source 'covariance' does not use points")
            require(self.cov is not None, "cov", "must be given when source is 'covariance'")
            assert self.cov is not None
            (a, b), (b2, c) = self.cov
            require(all(map(math.isfinite, (a, b, b2, c))), "cov", "must hold finite numbers")
            require(b == b2, "cov", "a covariance matrix must be symmetric")
            require(a >= 0 and c >= 0 and a * c - b * b >= 0, "cov", "a covariance matrix must be positive semi-definite")
        else:
            require(self.cov is None, "cov", "source 'points' does not use cov")
            require(self.points is not None and len(self.points) >= 2, "points", "must list at least 2 [x, y] pairs")
            assert self.points is not None
            require(all(math.isfinite(v) for p in self.points for v in p), "points", "must hold finite numbers")
        data = "cov" if self.source == "covariance" else "points"
        lam1, lam2 = eigenvalues(*_entries(self.matrix))
        require(lam1 > 1e-12, data, "the total variance is 0")
        require(lam1 - lam2 > 1e-9 * max(1.0, lam1), data,
                "the two eigenvalues are equal, so the first principal axis is not unique")

    @cached_property
    def matrix(self) -> Matrix:
        """The covariance matrix, exact (given, or the sample covariance of the points)."""
        return covariance(self)


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    sources: tuple[Source, ...] = ("covariance",)  # covariance (matrix given) or points
    asks: tuple[Ask, ...] = ASKS  # the quantities asked
    entry_max: int = 10  # a given covariance has diagonal entries 1..entry_max (integer eigenvalues always)
    b_max: int = 4  # ... and off-diagonal 0 < |b| <= b_max
    n: tuple[int, int] = (4, 5)  # [min, max] number of points
    values: tuple[int, int] = (0, 6)  # [min, max] of the point coordinates
    spread: int = 3  # how far from the (integer) mean the points are drawn, along each axis

    def __post_init__(self) -> None:
        require(bool(self.sources), "sources", "must list at least one source")
        require(bool(self.asks), "asks", "must list at least one quantity")
        if "covariance" in self.sources:
            require(self.entry_max >= 1 and self.b_max >= 1 and bool(nice_covariances(self.entry_max, self.b_max)),
                    "entry_max", "with b_max, leaves no covariance with distinct positive integer eigenvalues")
        require(3 <= self.n[0] <= self.n[1], "n", "must be [min, max] with 3 <= min <= max")
        require(self.values[0] <= self.values[1], "values", "must be [min, max] with min <= max")
        require(self.spread >= 1, "spread", f"must be at least 1, got {self.spread}")


# --------------------------------------------------------------------------- maths


def eigenvalues(a: float, b: float, c: float) -> tuple[float, float]:
    """Eigenvalues of [[a, b], [b, c]], largest first, from the characteristic equation."""
    mean = (a + c) / 2
    radius = math.hypot((a - c) / 2, b)
    return mean + radius, mean - radius


def first_axis(a: float, b: float, c: float) -> tuple[float, float]:
    """Unit eigenvector of the largest eigenvalue, first nonzero component positive."""
    lam1, _ = eigenvalues(a, b, c)
    # (a - lam1) vx + b vy = 0 and b vx + (c - lam1) vy = 0: use the better-conditioned row
    if abs(b) < 1e-12:
        vx, vy = (1.0, 0.0) if a >= c else (0.0, 1.0)
    elif abs(a - lam1) >= abs(c - lam1):
        vx, vy = b, lam1 - a
    else:
        vx, vy = lam1 - c, b
    norm = math.hypot(vx, vy)
    return positive_first(vx / norm, vy / norm)


def positive_first(vx: float, vy: float) -> tuple[float, float]:
    """The sign convention of the answers: first nonzero component positive (and no -0.0)."""
    if vx < -1e-12 or (abs(vx) <= 1e-12 and vy < 0):
        vx, vy = -vx, -vy
    return (vx + 0.0, vy + 0.0)


def quantity(ask: str, a: float, b: float, c: float, component: int = 1) -> float | list[float]:
    """The asked quantity of [[a, b], [b, c]] for principal component 1 (component 2 is a slip):
    its eigenvalue, its share of the trace, or its unit axis."""
    lams = eigenvalues(a, b, c)
    lam = lams[component - 1]
    if ask == "largest_eigenvalue":
        return round(lam, 12)
    if ask == "explained_variance":
        return round(lam / (lams[0] + lams[1]), 12)
    vx, vy = first_axis(a, b, c)
    if component == 2:
        vx, vy = positive_first(-vy, vx)  # the other axis is perpendicular to the first
    return [round(vx, 12), round(vy, 12)]


def scatter(points: list[tuple[Fraction, Fraction]]) -> tuple[list[Fraction], Matrix]:
    """Mean and scatter matrix sum (p - mean)(p - mean)^T, exact."""
    n = len(points)
    if all(v.denominator == 1 for p in points for v in p):
        # integer points (every sampled instance): the same Fractions from integer sums,
        # e.g. sum (x - mean)^2 = (n sum x^2 - (sum x)^2) / n, without a Fraction per term
        xs, ys = [int(p[0]) for p in points], [int(p[1]) for p in points]
        sum_x, sum_y = sum(xs), sum(ys)
        sxx = Fraction(n * sum(map(mul, xs, xs)) - sum_x * sum_x, n)
        sxy = Fraction(n * sum(map(mul, xs, ys)) - sum_x * sum_y, n)
        syy = Fraction(n * sum(map(mul, ys, ys)) - sum_y * sum_y, n)
        return [Fraction(sum_x, n), Fraction(sum_y, n)], [[sxx, sxy], [sxy, syy]]
    zero = Fraction(0)  # a Fraction start keeps every sum a Fraction (sum() otherwise starts from int 0)
    mean = [sum((p[0] for p in points), zero) / n, sum((p[1] for p in points), zero) / n]
    centred = [(p[0] - mean[0], p[1] - mean[1]) for p in points]
    sxx = sum((d[0] * d[0] for d in centred), zero)
    sxy = sum((d[0] * d[1] for d in centred), zero)
    syy = sum((d[1] * d[1] for d in centred), zero)
    return mean, [[sxx, sxy], [sxy, syy]]


# --------------------------------------------------------------------------- params


def covariance(params: Params, divide_by_n: bool = False) -> Matrix:
    """The covariance matrix, exact; ``divide_by_n`` computes the population covariance of points instead (a slip)."""
    if params.cov is not None:
        return [[Fraction(v) for v in row] for row in params.cov]
    assert params.points is not None
    _, s = scatter([(Fraction(p[0]), Fraction(p[1])) for p in params.points])
    divisor = len(params.points) if divide_by_n else len(params.points) - 1
    return [[v / divisor for v in row] for row in s]


# --------------------------------------------------------------------------- mistakes


def _entries(matrix: Matrix) -> tuple[float, float, float]:
    return float(matrix[0][0]), float(matrix[0][1]), float(matrix[1][1])


def _covariance_over_n(params: Params) -> float | list[float] | None:
    if params.source != "points" or params.ask != "largest_eigenvalue":
        return None  # the share and the axis do not change when the whole matrix is scaled
    return quantity(params.ask, *_entries(covariance(params, divide_by_n=True)))


def _smallest_eigenvalue(matrix: Matrix, ask: str) -> float | list[float] | None:
    return quantity(ask, *_entries(matrix), component=2)


def _covariance_ignored(matrix: Matrix, ask: str) -> float | list[float] | None:
    a, _, c = _entries(matrix)
    if ask == "first_axis" and a == c:
        return None  # equal variances: no first axis without the covariance
    return quantity(ask, a, 0.0, c)


def _unnormalised_direction(matrix: Matrix) -> tuple[Fraction, float, float]:
    """(b, λ1 − a) from the first row of (C − λ1 I) v = 0, and λ1."""
    a, b, c = _entries(matrix)
    lam1 = eigenvalues(a, b, c)[0]
    return matrix[0][1], lam1 - float(matrix[0][0]), lam1


def _axis_not_normalised(matrix: Matrix, ask: str) -> list[float] | None:
    if ask != "first_axis" or matrix[0][1] == 0:
        return None
    b, rest, _ = _unnormalised_direction(matrix)
    vx, vy = positive_first(float(b), rest)
    return [round(vx, 12), round(vy, 12)]


# slips that need only the covariance matrix and the ask (the sampler computes the matrix once)
_FROM_MATRIX = (_smallest_eigenvalue, _covariance_ignored, _axis_not_normalised)


def _covariance_over_n_message(params: Params) -> str:
    if params.points is None:
        return "you divided by N: the sample covariance of points divides the scatter matrix by N − 1"
    n = len(params.points)
    right, wrong = params.matrix, covariance(params, divide_by_n=True)
    return (
        f"you divided the scatter matrix by N = {n}: the sample covariance divides by N − 1 = {n - 1}, so its "
        f"first entry is {show(right[0][0])}, not {show(wrong[0][0])}, and every eigenvalue is {n}/{n - 1} times "
        f"the one you found"
    )


def _eigen_text(matrix: Matrix) -> tuple[str, str]:
    l1, l2 = eigenvalues(*_entries(matrix))
    return fmt(l1), fmt(l2)


def _smallest_eigenvalue_message(params: Params) -> str:
    l1, l2 = _eigen_text(params.matrix)
    used = {"largest_eigenvalue": "took", "explained_variance": "used", "first_axis": "used the eigenvector of"}[params.ask]
    return (
        f"you {used} the smaller eigenvalue: the covariance matrix has λ1 = {l1} and λ2 = {l2}, and the first "
        f"principal component belongs to the larger, λ1 = {l1}"
    )


def _covariance_ignored_message(params: Params) -> str:
    matrix = params.matrix
    l1, l2 = _eigen_text(matrix)
    a, b, c = (show_approx(matrix[0][0]), show_approx(matrix[0][1]), show_approx(matrix[1][1]))
    return (
        f"you ignored the covariance {b}: the diagonal entries {a} and {c} are the variances along x and y, "
        f"not the eigenvalues; with the off-diagonal {b} the eigenvalues are {l1} and {l2}"
    )


def _axis_not_normalised_message(params: Params) -> str:
    matrix = params.matrix
    b, rest, lam1 = _unnormalised_direction(matrix)
    vx, vy = positive_first(float(b), rest)
    length = math.hypot(vx, vy)
    return (
        f"you did not normalise the axis: v ∝ (b, λ1 − a) = ({fmt(float(b))}, {fmt(lam1)} − "
        f"{fmt(float(matrix[0][0]))}), i.e. ({fmt(vx)}, {fmt(vy)}), has length {fmt(length)}; divide by it "
        f"to get the unit vector [{fmt(vx / length)}, {fmt(vy / length)}]"
    )


MISTAKES = (
    Mistake("covariance-over-n", _covariance_over_n, _covariance_over_n_message),
    Mistake("smallest-eigenvalue", lambda params: _smallest_eigenvalue(params.matrix, params.ask),
            _smallest_eigenvalue_message),
    Mistake("covariance-ignored", lambda params: _covariance_ignored(params.matrix, params.ask),
            _covariance_ignored_message),
    Mistake("axis-not-normalised", lambda params: _axis_not_normalised(params.matrix, params.ask),
            _axis_not_normalised_message),
)


# --------------------------------------------------------------------------- sampling


@lru_cache(maxsize=None)
def nice_covariances(entry_max: int, b_max: int) -> tuple[tuple[int, int, int], ...]:
    """All [[a, b], [b, c]] with 1 <= a, c <= entry_max, 0 < |b| <= b_max, integer eigenvalues
    that differ and are both positive (perfect-square discriminant (a - c)² + 4b²)."""
    found = []
    for a in range(1, entry_max + 1):
        for c in range(1, entry_max + 1):
            for b in range(-b_max, b_max + 1):
                if b == 0:
                    continue
                disc = (a - c) ** 2 + 4 * b * b
                root = math.isqrt(disc)
                if root * root != disc or (a + c + root) % 2:
                    continue
                if (a + c - root) // 2 > 0:
                    found.append((a, b, c))
    return tuple(found)


def _nice_scatter(sxx: int, sxy: int, syy: int) -> bool:
    """Off-diagonal nonzero, integer eigenvalues that differ, both positive (perfect-square discriminant)."""
    if sxy == 0:
        return False
    disc = (sxx - syy) ** 2 + 4 * sxy * sxy
    root = math.isqrt(disc)
    return root * root == disc and (sxx + syy + root) % 2 == 0 and (sxx + syy - root) > 0


def _sample_points(rng: random.Random, level: Level) -> tuple[tuple[float, float], ...]:
    """Points around an integer mean, so the scatter matrix is integer (checked on the deviations)."""
    n_low, n_high = level.n
    low, high = level.values
    spread = level.spread
    rejections = Rejections(limit=100_000)
    while True:
        n = rng.randint(n_low, n_high)
        devs = [(rng.randint(-spread, spread), rng.randint(-spread, spread)) for _ in range(n - 1)]
        devs.append((-sum(d[0] for d in devs), -sum(d[1] for d in devs)))
        sxx = sum(dx * dx for dx, _ in devs)
        sxy = sum(dx * dy for dx, dy in devs)
        syy = sum(dy * dy for _, dy in devs)
        if not _nice_scatter(sxx, sxy, syy) or len(set(devs)) < n:
            rejections.again()
            continue
        # place the mean so that every point lies in the range, if it can
        xs, ys = [d[0] for d in devs], [d[1] for d in devs]
        mx_low, mx_high = low - min(xs), high - max(xs)
        my_low, my_high = low - min(ys), high - max(ys)
        if mx_low > mx_high or my_low > my_high:
            rejections.again()
            continue
        mx, my = rng.randint(mx_low, mx_high), rng.randint(my_low, my_high)
        return tuple((mx + dx, my + dy) for dx, dy in devs)


def sample(rng: random.Random, level: Level) -> Params:
    """Prefers a draw where every slip that applies is told apart from the answer and the other slips
    (e.g. not the N-divided eigenvalue within 2% of a diagonal entry, which would name two slips at once)."""
    source = rng.choice(level.sources)
    ask = rng.choice(level.asks)
    return prefer_informative(lambda: _draw(rng, level, source, ask), _informative)


def _draw(rng: random.Random, level: Level, source: Source, ask: Ask) -> Params:
    if source == "covariance":
        a, b, c = rng.choice(nice_covariances(level.entry_max, level.b_max))
        return Params(source, ((a, b), (b, c)), None, ask=ask)
    return Params(source, None, _sample_points(rng, level), ask=ask)


# Twice the answer tolerance of problems/pca-2d.yaml: values closer than this could both be
# "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.001}


def _informative(params: Params) -> bool:
    matrix, ask = params.matrix, params.ask  # computed once: the slips below that need only the matrix share it
    slips = [_covariance_over_n(params)] + [slip(matrix, ask) for slip in _FROM_MATRIX]
    return informative(quantity(ask, *_entries(matrix)), slips, **SEPARATION)


# --------------------------------------------------------------------------- wording


def show(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def show_approx(x: Fraction) -> str:
    return show(x) if x.denominator == 1 else f"{show(x)} ≈ {fmt(float(x))}"


def question_fields(params: Params) -> dict[str, str]:
    matrix, ask = params.matrix, params.ask
    if params.points is None:
        data = "A 2-D data set has covariance matrix\n\n" + format_grid([[show(v) for v in r] for r in matrix])
    else:
        pts = params.points
        rows: list[list[object]] = [["point", *[str(i + 1) for i in range(len(pts))]], ["x", *[p[0] for p in pts]],
                                    ["y", *[p[1] for p in pts]]]
        data = (f"PCA is run on these {len(pts)} points, using the sample covariance matrix "
                f"(divide by N - 1, as numpy.cov and scikit-learn's PCA do):\n\n" + format_grid(rows))
    return {"variant": ask, "data": data}


# --------------------------------------------------------------------------- worked solution


def _sqrt_text(n: int) -> str:
    """sqrt(n) simplified: 'k' when a square, 'k·sqrt(m)' otherwise."""
    root = math.isqrt(n)
    if root * root == n:
        return str(root)
    k = max(d for d in range(1, root + 1) if n % (d * d) == 0)
    return f"sqrt({n})" if k == 1 else f"{k}·sqrt({n // (k * k)})"


def eigen_steps(a: Fraction, b: Fraction, c: Fraction, name: str) -> tuple[list[str], Fraction | None, Fraction | None]:
    trace, det = a + c, a * c - b * b
    disc = trace * trace - 4 * det
    steps = [f"Eigenvalues of {name}: det({name} - λI) = λ² - {show(trace)}λ + {show(det)} = 0 "
             f"(trace {show(trace)}, determinant {show(a)}·{show(c)} - ({show(b)})² = {show(det)})."]
    num, den = disc.numerator, disc.denominator
    rn, rd = math.isqrt(num), math.isqrt(den)
    if rn * rn == num and rd * rd == den:
        root = Fraction(rn, rd)
        lam1, lam2 = (trace + root) / 2, (trace - root) / 2
        steps.append(f"λ = ({show(trace)} ± sqrt({show(disc)})) / 2 = ({show(trace)} ± {show(root)}) / 2, "
                     f"so λ1 = {show_approx(lam1)} and λ2 = {show_approx(lam2)}.")
        return steps, lam1, lam2
    l1, l2 = eigenvalues(float(a), float(b), float(c))
    steps.append(f"λ = ({show(trace)} ± sqrt({show(disc)})) / 2, so λ1 = {fmt(l1)} and λ2 = {fmt(l2)}.")
    return steps, None, None


def axis_step(a: Fraction, b: Fraction, c: Fraction, lam1: Fraction | None, name: str) -> str:
    vx, vy = first_axis(float(a), float(b), float(c))
    vector = f"[{fmt(vx)}, {fmt(vy)}]"
    if lam1 is None or b == 0:
        return (f"First axis: solve ({name} - λ1 I) v = 0 and normalise, first nonzero component positive: "
                f"v = {vector}.")
    # integer direction (b, lam1 - a) scaled to coprime integers
    dx, dy = b, lam1 - a
    scale = math.lcm(dx.denominator, dy.denominator)
    ix, iy = int(dx * scale), int(dy * scale)
    g = math.gcd(ix, iy) or 1
    ix, iy = ix // g, iy // g
    if ix < 0 or (ix == 0 and iy < 0):
        ix, iy = -ix, -iy
    length = _sqrt_text(ix * ix + iy * iy)
    return (f"First axis: ({name} - λ1 I) v = 0 gives ({show(a)} - {show(lam1)}) vx + ({show(b)}) vy = 0, "
            f"so v ∝ ({ix}, {iy}); its length is {length}, and with the first nonzero component positive "
            f"v = ({ix}, {iy}) / {length} ≈ {vector}.")


def solve(params: Params) -> Solution:
    matrix, ask = params.matrix, params.ask
    steps: list[str] = []
    lam1: Fraction | None  # exact eigenvalues of C; None when they are irrational
    lam2: Fraction | None
    if params.points is not None:
        points = [(Fraction(p[0]), Fraction(p[1])) for p in params.points]
        n = len(points)
        mean, m = scatter(points)
        centred = [[show(p[0] - mean[0]) for p in points], [show(p[1] - mean[1]) for p in points]]
        steps.append(f"Mean = ({show_approx(mean[0])}, {show_approx(mean[1])}). Centred points (columns):\n"
                     + format_grid(centred))
        steps.append(
            "Scatter matrix M = sum of (p - mean)(p - mean)^T = "
            f"[[{show(m[0][0])}, {show(m[0][1])}], [{show(m[1][0])}, {show(m[1][1])}]]; "
            f"the sample covariance is C = M / (N - 1) = M / {n - 1} = "
            f"[[{show(matrix[0][0])}, {show(matrix[0][1])}], [{show(matrix[1][0])}, {show(matrix[1][1])}]]."
        )
        eig, mu1, mu2 = eigen_steps(m[0][0], m[0][1], m[1][1], "M")
        steps.extend(eig)
        if mu1 is not None and mu2 is not None:
            lam1, lam2 = mu1 / (n - 1), mu2 / (n - 1)
            steps.append(f"C = M / {n - 1} has the same axes and eigenvalues divided by {n - 1}: "
                         f"λ1 = {show_approx(lam1)}, λ2 = {show_approx(lam2)}.")
        else:
            lam1 = lam2 = None
        a, b, c = m[0][0], m[0][1], m[1][1]
        axis_lam, axis_name = mu1, "M"
    else:
        a, b, c = matrix[0][0], matrix[0][1], matrix[1][1]
        eig, lam1, lam2 = eigen_steps(a, b, c, "C")
        steps.extend(eig)
        axis_lam, axis_name = lam1, "C"
    a_c, b_c, c_c = (float(matrix[0][0]), float(matrix[0][1]), float(matrix[1][1]))
    answer = quantity(ask, a_c, b_c, c_c)
    l1, l2 = eigenvalues(a_c, b_c, c_c)
    if ask == "largest_eigenvalue":
        display = show_approx(lam1) if lam1 is not None else fmt(l1)
        steps.append(f"The largest eigenvalue (the variance along the first principal axis) is {display}.")
        return Solution(answer=answer, steps=steps, kind="real", display=display)
    if ask == "explained_variance":
        share = l1 / (l1 + l2)
        if lam1 is not None and lam2 is not None:
            exact = lam1 / (lam1 + lam2)
            display = show_approx(exact)
            steps.append(f"Explained-variance share of PC1 = λ1 / (λ1 + λ2) = {show(lam1)} / {show(lam1 + lam2)} "
                         f"= {display} (λ1 + λ2 is the trace, the total variance).")
        else:
            display = fmt(share)
            steps.append(f"Explained-variance share of PC1 = λ1 / (λ1 + λ2) = {display}.")
        return Solution(answer=answer, steps=steps, kind="real", display=display)
    steps.append(axis_step(a, b, c, axis_lam, axis_name))
    vx, vy = first_axis(a_c, b_c, c_c)
    return Solution(answer=answer, steps=steps, kind="vector", display=f"[{fmt(vx)}, {fmt(vy)}]")
