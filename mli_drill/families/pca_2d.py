"""PCA in two dimensions: eigenvalues, explained-variance share and the first principal axis.

The covariance is either given (a symmetric 2x2 matrix) or computed from a
handful of integer points as the SAMPLE covariance, dividing by N - 1 like
numpy.cov and scikit-learn's PCA. Generated matrices have integer eigenvalues
(for points: the scatter matrix sum of centred outer products has integer
eigenvalues, so the covariance's are simple fractions), so the whole problem
can be done by hand.

Parameters (JSON form):
    source  "covariance" (give cov) or "points" (give points)
    cov     [[a, b], [b, c]]: a symmetric covariance matrix (source "covariance"; else null/absent)
    points  list of [x, y] (source "points"; else null/absent), at least 2 points
    ask     "largest_eigenvalue" | "explained_variance" (share of the first component,
            lambda1 / (lambda1 + lambda2)) | "first_axis" (unit eigenvector of the largest
            eigenvalue, sign chosen so that its first nonzero component is positive)

The two eigenvalues must differ (else the first axis is not unique) and the
total variance must be positive (InvalidParams otherwise).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from functools import lru_cache
from typing import Any

from mli_drill.families.base import InvalidParams, Rejections, Solution
from mli_drill.families.common import fmt, format_grid

ASKS = ("largest_eigenvalue", "explained_variance", "first_axis")


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
    vx, vy = vx / norm, vy / norm
    if vx < -1e-12 or (abs(vx) <= 1e-12 and vy < 0):
        vx, vy = -vx, -vy
    return (vx + 0.0, vy + 0.0)


def scatter(points: list[tuple[Fraction, Fraction]]) -> tuple[list[Fraction], list[list[Fraction]]]:
    """Mean and scatter matrix sum (p - mean)(p - mean)^T, exact."""
    n = len(points)
    zero = Fraction(0)  # a Fraction start keeps every sum a Fraction (sum() otherwise starts from int 0)
    mean = [sum((p[0] for p in points), zero) / n, sum((p[1] for p in points), zero) / n]
    centred = [(p[0] - mean[0], p[1] - mean[1]) for p in points]
    sxx = sum((d[0] * d[0] for d in centred), zero)
    sxy = sum((d[0] * d[1] for d in centred), zero)
    syy = sum((d[1] * d[1] for d in centred), zero)
    return mean, [[sxx, sxy], [sxy, syy]]


# --------------------------------------------------------------------------- params


def _number(value: Any, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidParams(f"{what} must be a finite number, got {value!r}")
    return Fraction(value)


def covariance_of(params: Any) -> tuple[list[list[Fraction]], str]:
    """The covariance matrix (exact) and the ask, after validation."""
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping")
    ask = params.get("ask")
    if ask not in ASKS:
        raise InvalidParams(f"ask must be one of {', '.join(ASKS)}, got {ask!r}")
    source = params.get("source")
    if source == "covariance":
        if params.get("points") is not None:
            raise InvalidParams("source 'covariance' does not use points")
        cov = params.get("cov")
        if not isinstance(cov, list) or len(cov) != 2 or any(not isinstance(r, list) or len(r) != 2 for r in cov):
            raise InvalidParams("cov must be a 2x2 matrix [[a, b], [b, c]]")
        m = [[_number(v, f"cov[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(cov)]
        if m[0][1] != m[1][0]:
            raise InvalidParams("a covariance matrix must be symmetric")
        if m[0][0] < 0 or m[1][1] < 0 or m[0][0] * m[1][1] - m[0][1] ** 2 < 0:
            raise InvalidParams("a covariance matrix must be positive semi-definite")
        matrix = m
    elif source == "points":
        if params.get("cov") is not None:
            raise InvalidParams("source 'points' does not use cov")
        points = params.get("points")
        if not isinstance(points, list) or len(points) < 2 or any(
            not isinstance(p, list) or len(p) != 2 for p in points
        ):
            raise InvalidParams("points must be a list of at least 2 [x, y] pairs")
        exact = [(_number(p[0], "point"), _number(p[1], "point")) for p in points]
        _, s = scatter(exact)
        matrix = [[v / (len(exact) - 1) for v in row] for row in s]
    else:
        raise InvalidParams(f"source must be 'covariance' or 'points', got {source!r}")
    a, b, c = (float(matrix[0][0]), float(matrix[0][1]), float(matrix[1][1]))
    lam1, lam2 = eigenvalues(a, b, c)
    if lam1 <= 1e-12:
        raise InvalidParams("the total variance is 0")
    if lam1 - lam2 <= 1e-9 * max(1.0, lam1):
        raise InvalidParams("the two eigenvalues are equal, so the first principal axis is not unique")
    return matrix, ask


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


def _sample_points(rng: random.Random, level: dict) -> list[list[int]]:
    """Points around an integer mean, so the scatter matrix is integer (checked on the deviations)."""
    n_low, n_high = level.get("n", [4, 5])
    low, high = level.get("values", [0, 6])
    spread = level.get("spread", 3)
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
        return [[mx + dx, my + dy] for dx, dy in devs]


def sample(rng: random.Random, level: dict) -> dict:
    source = rng.choice(list(level.get("sources", ["covariance"])))
    ask = rng.choice(list(level.get("asks", ASKS)))
    if source == "covariance":
        a, b, c = rng.choice(nice_covariances(level.get("entry_max", 10), level.get("b_max", 4)))
        return {"source": source, "cov": [[a, b], [b, c]], "points": None, "ask": ask}
    return {"source": source, "cov": None, "points": _sample_points(rng, level), "ask": ask}


# --------------------------------------------------------------------------- wording


def show(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def show_approx(x: Fraction) -> str:
    return show(x) if x.denominator == 1 else f"{show(x)} ≈ {fmt(float(x))}"


def question_fields(params: dict) -> dict[str, str]:
    matrix, ask = covariance_of(params)
    if params["source"] == "covariance":
        data = "A 2-D data set has covariance matrix\n\n" + format_grid([[show(v) for v in r] for r in matrix])
    else:
        pts = params["points"]
        rows = [["point"] + [str(i + 1) for i in range(len(pts))], ["x"] + [p[0] for p in pts],
                ["y"] + [p[1] for p in pts]]
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


def solve(params: dict) -> Solution:
    matrix, ask = covariance_of(params)
    steps: list[str] = []
    lam1: Fraction | None  # exact eigenvalues of C; None when they are irrational
    lam2: Fraction | None
    if params["source"] == "points":
        points = [(Fraction(p[0]), Fraction(p[1])) for p in params["points"]]
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
    l1, l2 = eigenvalues(float(matrix[0][0]), float(matrix[0][1]), float(matrix[1][1]))
    if ask == "largest_eigenvalue":
        display = show_approx(lam1) if lam1 is not None else fmt(l1)
        steps.append(f"The largest eigenvalue (the variance along the first principal axis) is {display}.")
        return Solution(answer=round(l1, 12), steps=steps, kind="real", display=display)
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
        return Solution(answer=round(share, 12), steps=steps, kind="real", display=display)
    steps.append(axis_step(a, b, c, axis_lam, axis_name))
    vx, vy = first_axis(float(matrix[0][0]), float(matrix[0][1]), float(matrix[1][1]))
    return Solution(answer=[round(vx, 12), round(vy, 12)], steps=steps, kind="vector",
                    display=f"[{fmt(vx)}, {fmt(vy)}]")
