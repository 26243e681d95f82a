"""Image (dis)similarity measures for intensity-based registration.

Conventions (CONVENTIONS.md, "Image similarity"): SSD and SAD are means over
the N pixels; CC is Pearson's correlation with population normalisation; the
joint histogram has one bin per intensity value, ``p(i, j) = h(i, j) / N``;
entropies use the log base the question states (``log_base`` is 2, "e" or 10);
``MI = H(A) + H(B) - H(A,B)`` and ``NMI = (H(A) + H(B)) / H(A,B)`` (Studholme).

Pure Python: the images are a handful of pixels, and Fractions keep SSD, SAD
and the histogram probabilities exact.

Params (JSON), typed as :class:`Params`::

    {"measure": "ssd" | "sad" | "cc" | "joint_entropy" | "mi" | "nmi",
     "a": [[int, ...], ...], "b": [[int, ...], ...],   # same shape, intensities 0..255
     "log_base": 2 | "e" | 10}                         # optional, default 2; "2" and "10" read as 2 and 10
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from operator import mul
from typing import Literal, Sequence

from mli_drill.problems.families.base import Alternatives, Grid, Mistake, Rejections, Solution, require
from mli_drill.problems.families.common import fmt, format_grid, fraction_text, informative, prefer_informative, ratio_text

Measure = Literal["ssd", "sad", "cc", "joint_entropy", "mi", "nmi"]
LogBase = Literal[2, "e", 10]
MEASURES: tuple[Measure, ...] = ("ssd", "sad", "cc", "joint_entropy", "mi", "nmi")
MEASURE_NAMES = {
    "ssd": "sum of squared differences (SSD)",
    "sad": "sum of absolute differences (SAD)",
    "cc": "correlation coefficient (CC)",
    "joint_entropy": "joint entropy H(A,B)",
    "mi": "mutual information MI",
    "nmi": "normalised mutual information NMI",
}
# log_base as it appears in params -> (math.log base, how to write log, unit of information).
LOG_BASES: dict[LogBase, tuple[float, str, str]] = {
    2: (2.0, "log2", "bits"),
    "e": (math.e, "ln", "nats"),
    10: (10.0, "log10", "hartleys"),
}
LOG_BASE_WORDS: dict[LogBase, str] = {2: "log base 2", "e": "the natural log (base e)", 10: "log base 10"}

Image = Sequence[Sequence[int]]  # rows of intensities
Rows = tuple[tuple[int, ...], ...]


def _constant(image: Image) -> bool:
    first = image[0][0]
    return all(v == first for row in image for v in row)


def _check_image(image: Rows, name: str) -> None:
    require(bool(image) and all(image), name, "must be a non-empty list of non-empty rows of intensities")
    require(all(len(row) == len(image[0]) for row in image), name, "is not rectangular: all rows must have the same length")
    bad = next((v for row in image for v in row if not 0 <= v <= 255), None)
    require(bad is None, name, f"must hold intensities from 0 to 255 (one histogram bin per value), found {bad}")


@dataclass(frozen=True)
class Params:
    measure: Measure
    a: Rows  # image A
    b: Rows  # image B, the same shape, overlapping A pixel for pixel
    log_base: Literal[2, "e", 10, "2", "10"] = 2  # the strings (e.g. from a command line) are read as the numbers

    def __post_init__(self) -> None:
        if self.log_base != "e" and type(self.log_base) is not int:  # "2", "10" (or 2.0) as the number
            object.__setattr__(self, "log_base", int(self.log_base))
        a, b = self.a, self.b
        _check_image(a, "a")
        _check_image(b, "b")
        require(
            (len(a), len(a[0])) == (len(b), len(b[0])),
            "b",
            f"is {len(b)}x{len(b[0])} but a is {len(a)}x{len(a[0])}; the images must overlap pixel for pixel",
        )
        if self.measure == "cc":
            for name, image in (("a", a), ("b", b)):
                require(not _constant(image), name, "is constant: CC is undefined for an image with zero variance")
        if self.measure == "nmi":
            require(not (_constant(a) and _constant(b)), "", "NMI is undefined when both images are constant (H(A,B) = 0)")

    @property
    def base(self) -> LogBase:
        """``log_base`` as a key of :data:`LOG_BASES` (``__post_init__`` has read the strings as numbers)."""
        return self.log_base  # type: ignore[return-value]


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    size: tuple[int, int] = (3, 3)  # [min, max] height and width
    max_value: int = 3  # intensities are 0..max_value
    log_bases: tuple[LogBase, ...] = (2,)  # the bases drawn for joint entropy and MI (NMI does not depend on it)
    measures: tuple[Measure, ...] = MEASURES  # the measures drawn

    def __post_init__(self) -> None:
        low, high = self.size
        require(1 <= low <= high and high >= 2, "size", "must be [min, max] with 1 <= min <= max and max >= 2")
        require(1 <= self.max_value <= 255, "max_value", "must be between 1 and 255 (a constant image is never drawn)")
        require(bool(self.log_bases), "log_bases", "must list at least one base")
        require(bool(self.measures), "measures", "must list at least one measure")


# ----------------------------------------------------------------------------
# sampling


def sample(rng: random.Random, level: Level) -> Params:
    """Image B is a noisy intensity remapping of image A.

    A remapping that is the identity mimics mono-modal images (small SSD, high
    CC); a permutation of the intensity levels mimics two modalities (CC may be
    poor while MI stays high). A few pixels are then redrawn so the relation is
    not perfect; at least two pixels must differ so SSD and SAD are not trivial.
    """
    measure = rng.choice(level.measures)
    log_base: LogBase = rng.choice(level.log_bases) if measure in ("joint_entropy", "mi", "nmi") else 2
    return prefer_informative(lambda: _draw(rng, level, measure, log_base), _informative)


# Twice the answer tolerance of problems/image-similarity.yaml: values closer
# than this could both be "matched" by one typed answer.
SEPARATION = {"rel_tol": 0.02, "abs_tol": 0.01}


def _informative(params: Params) -> bool:
    """The slips of the asked measure give values apart from the answer and from each other.

    The answer and the asked measure's slips (the only ones that apply) from one computation of
    the sums or of the histogram, without the working (the same floats as ``solve``'s)."""
    measure, a, b, log_base = params.measure, params.a, params.b, params.base
    n = len(a) * len(a[0])
    if measure in ("ssd", "sad"):
        total = sum(map(sum, _difference_terms(measure, a, b)[1]))
        return informative(total / n, [float(total)], **SEPARATION)
    if measure == "cc":
        centred = _correlation_value(*_correlation_floats(a, b))
        return informative(centred, [_correlation_value(*_correlation_floats(a, b, centred=False))], **SEPARATION)
    counts = _joint_histogram(a, b)
    if measure == "nmi":
        h_a, h_b, h_joint = _histogram_entropies(counts, n, log_base)
        mi = h_a + h_b - h_joint
        return informative((h_a + h_b) / h_joint, [2 * mi / (h_a + h_b), mi], **SEPARATION)
    asked, *others = (
        _information_from(measure, *_histogram_entropies(counts, n, base))
        for base in (log_base, *(other for other in LOG_BASES if other != log_base))
    )
    return informative(asked, [Alternatives(tuple(others))], **SEPARATION)


def _draw(rng: random.Random, level: Level, measure: Measure, log_base: LogBase) -> Params:
    lo, hi = level.size
    max_value = level.max_value
    rejections = Rejections()
    while True:
        height, width = rng.randint(lo, hi), rng.randint(lo, hi)
        a = [[rng.randint(0, max_value) for _ in range(width)] for _ in range(height)]
        levels = list(range(max_value + 1))
        mapping = levels[:] if rng.random() < 0.5 else rng.sample(levels, len(levels))
        b = [[mapping[v] for v in row] for row in a]
        cells = [(r, c) for r in range(height) for c in range(width)]
        for r, c in rng.sample(cells, rng.randint(1, max(1, len(cells) // 3))):
            b[r][c] = rng.randint(0, max_value)
        differing = sum(va != vb for ra, rb in zip(a, b) for va, vb in zip(ra, rb))
        if _constant(a) or _constant(b) or differing < 2:
            rejections.again()
            continue
        return Params(measure, tuple(map(tuple, a)), tuple(map(tuple, b)), log_base)


# ----------------------------------------------------------------------------
# solving


def solve(params: Params) -> Solution:
    measure, a, b, log_base = params.measure, params.a, params.b, params.base
    n = len(a) * len(a[0])
    steps = [f"N = {len(a)}×{len(a[0])} = {n} overlapping pixels."]
    if measure in ("ssd", "sad"):
        return _difference_measure(measure, a, b, n, steps)
    if measure == "cc":
        return _correlation(a, b, n, steps)
    return _information_measure(measure, a, b, n, log_base, steps)


def _difference_terms(measure: str, a: Image, b: Image) -> tuple[list[list[int]], list[list[int]]]:
    """The differences A - B, and the terms SSD (squares) or SAD (absolute values) adds up."""
    diff = [[va - vb for va, vb in zip(ra, rb)] for ra, rb in zip(a, b)]
    terms = [[d * d if measure == "ssd" else abs(d) for d in row] for row in diff]
    return diff, terms


def _difference_measure(measure: str, a: Image, b: Image, n: int, steps: list[str]) -> Solution:
    diff, terms = _difference_terms(measure, a, b)
    steps.append("Differences A - B:\n" + format_grid(diff))
    total = sum(map(sum, terms))
    value = Fraction(total, n)
    if measure == "ssd":
        steps.append("Squared differences (A - B)²:\n" + format_grid(terms))
        steps.append(f"SSD = (1/N) Σ (A - B)² = {ratio_text(total, n)}")
    else:
        steps.append("Absolute differences |A - B|:\n" + format_grid(terms))
        steps.append(f"SAD = (1/N) Σ |A - B| = {ratio_text(total, n)}")
    return Solution(answer=float(value), steps=steps, display=fraction_text(value))


def _correlation_sums(a: Image, b: Image, centred: bool = True) -> tuple[Fraction, Fraction, Fraction]:
    """Σ ab, Σ a² and Σ b² over the pixels, of the deviations from the means (or, ``centred=False``,
    of the raw intensities: the uncentred slip)."""
    n = len(a) * len(a[0])
    mean_a = Fraction(sum(map(sum, a)), n) if centred else Fraction(0)
    mean_b = Fraction(sum(map(sum, b)), n) if centred else Fraction(0)
    dev_a = [x - mean_a for row in a for x in row]
    dev_b = [y - mean_b for row in b for y in row]
    return (
        sum((x * y for x, y in zip(dev_a, dev_b)), Fraction(0)),
        sum((x * x for x in dev_a), Fraction(0)),
        sum((y * y for y in dev_b), Fraction(0)),
    )


def _correlation_floats(a: Image, b: Image, centred: bool = True) -> tuple[float, float, float]:
    """``_correlation_sums`` as floats, in integers: n Σ (a - μ_A)(b - μ_B) = n Σ ab - Σa Σb (and so on),
    and an integer division is rounded correctly, as a Fraction's float is, so the floats are the same."""
    flat_a = [x for row in a for x in row]
    flat_b = [y for row in b for y in row]
    s_ab = sum(map(mul, flat_a, flat_b))
    s_aa = sum(map(mul, flat_a, flat_a))
    s_bb = sum(map(mul, flat_b, flat_b))
    if not centred:
        return float(s_ab), float(s_aa), float(s_bb)
    n, sum_a, sum_b = len(flat_a), sum(flat_a), sum(flat_b)
    return (n * s_ab - sum_a * sum_b) / n, (n * s_aa - sum_a * sum_a) / n, (n * s_bb - sum_b * sum_b) / n


def _correlation_value(s_ab: Fraction | float, s_aa: Fraction | float, s_bb: Fraction | float) -> float:
    return float(s_ab) / math.sqrt(float(s_aa) * float(s_bb))


def _correlation(a: Image, b: Image, n: int, steps: list[str]) -> Solution:
    sum_a, sum_b = sum(map(sum, a)), sum(map(sum, b))
    mean_a, mean_b = Fraction(sum_a, n), Fraction(sum_b, n)
    steps.append(f"Means: μ_A = {sum_a}/{n} = {fmt(float(mean_a))}, μ_B = {sum_b}/{n} = {fmt(float(mean_b))}")
    dev_a = [[v - mean_a for v in row] for row in a]
    dev_b = [[v - mean_b for v in row] for row in b]
    steps.append(
        "Deviations from the mean:\nA - μ_A:\n" + _float_grid(dev_a) + "\nB - μ_B:\n" + _float_grid(dev_b)
    )
    s_ab, s_aa, s_bb = _correlation_sums(a, b)
    steps.append(
        f"Σ (A - μ_A)(B - μ_B) = {fmt(float(s_ab))}, Σ (A - μ_A)² = {fmt(float(s_aa))}, Σ (B - μ_B)² = {fmt(float(s_bb))}"
    )
    value = _correlation_value(s_ab, s_aa, s_bb)
    steps.append(
        "CC = Σ (A - μ_A)(B - μ_B) / sqrt(Σ (A - μ_A)² · Σ (B - μ_B)²) "
        f"= {fmt(float(s_ab))} / sqrt({fmt(float(s_aa))} · {fmt(float(s_bb))}) = {fmt(value)}"
        " (the 1/N factors of the covariance and the two standard deviations cancel)"
    )
    return Solution(answer=value, steps=steps, display=fmt(value))


def _joint_histogram(a: Image, b: Image) -> list[list[int]]:
    """h(i, j): the number of pixels with A = i and B = j, one bin per intensity value."""
    top = max(max(map(max, a)), max(map(max, b)))
    counts = [[0] * (top + 1) for _ in range(top + 1)]
    for ra, rb in zip(a, b):
        for va, vb in zip(ra, rb):
            counts[va][vb] += 1
    return counts


def entropies(a: Image, b: Image, log_base: LogBase) -> tuple[float, float, float]:
    """H(A), H(B) and H(A,B) in the given log base (2, "e" or 10), from the joint histogram."""
    return _histogram_entropies(_joint_histogram(a, b), len(a) * len(a[0]), log_base)


def _histogram_entropies(counts: list[list[int]], n: int, log_base: LogBase) -> tuple[float, float, float]:
    """``entropies`` from the joint histogram."""
    base = LOG_BASES[log_base][0]
    columns = [sum(row[j] for row in counts) for j in range(len(counts))]
    return (
        _entropy_value([sum(row) for row in counts], n, base),
        _entropy_value(columns, n, base),
        _entropy_value([c for row in counts for c in row], n, base),
    )


def _information_from(measure: str, h_a: float, h_b: float, h_joint: float) -> float:
    """H(A,B) or MI from the entropies (``_information_value``)."""
    return h_joint if measure == "joint_entropy" else h_a + h_b - h_joint


def _information_measure(measure: str, a: Image, b: Image, n: int, log_base: LogBase, steps: list[str]) -> Solution:
    base, log_name, unit = LOG_BASES[log_base]
    counts = _joint_histogram(a, b)
    top = len(counts) - 1
    header = ["A \\ B", *map(str, range(top + 1)), "h_A"]
    table = [header] + [[str(i), *counts[i], sum(counts[i])] for i in range(top + 1)]
    col_sums = [sum(counts[i][j] for i in range(top + 1)) for j in range(top + 1)]
    table.append(["h_B", *col_sums, n])
    steps.append(
        "Joint histogram h(i, j) = number of pixels with A = i and B = j (rows: intensity in A, columns: in B), "
        "with the marginal counts:\n" + format_grid(table) + f"\np(i, j) = h(i, j)/{n}, p_A(i) = h_A(i)/{n}, p_B(j) = h_B(j)/{n}."
    )
    joint = [c for row in counts for c in row]
    row_sums = [sum(row) for row in counts]
    h_joint, text_joint = _entropy(joint, n, base, log_name)
    if measure == "joint_entropy":
        steps.append(f"H(A,B) = -Σ p(i,j) {log_name} p(i,j) = {text_joint} {unit}")
        return Solution(answer=h_joint, steps=steps, display=f"{fmt(h_joint)} {unit}")
    h_a, text_a = _entropy(row_sums, n, base, log_name)
    h_b, text_b = _entropy(col_sums, n, base, log_name)
    steps.append(f"H(A) = -Σ p_A {log_name} p_A = {text_a} {unit}")
    steps.append(f"H(B) = -Σ p_B {log_name} p_B = {text_b} {unit}")
    steps.append(f"H(A,B) = -Σ p(i,j) {log_name} p(i,j) = {text_joint} {unit}")
    if measure == "mi":
        value = h_a + h_b - h_joint
        steps.append(f"MI = H(A) + H(B) - H(A,B) = {fmt(h_a)} + {fmt(h_b)} - {fmt(h_joint)} = {fmt(value)} {unit}")
        return Solution(answer=value, steps=steps, display=f"{fmt(value)} {unit}")
    value = (h_a + h_b) / h_joint
    steps.append(
        f"NMI = (H(A) + H(B)) / H(A,B) = ({fmt(h_a)} + {fmt(h_b)}) / {fmt(h_joint)} = {fmt(value)}"
        " (a ratio of entropies: the same in every log base)"
    )
    return Solution(answer=value, steps=steps, display=fmt(value))


def _entropy(counts: list[int], n: int, base: float, log_name: str) -> tuple[float, str]:
    """Entropy of a histogram, and the sum written out by count (empty bins contribute 0)."""
    nonzero = sorted((c for c in counts if c), reverse=True)
    value = _entropy_value(nonzero, n, base)
    groups: dict[int, int] = {}
    for c in nonzero:
        groups[c] = groups.get(c, 0) + 1
    terms = " + ".join(
        (f"{times}·" if times > 1 else "") + f"({_fraction_text_bare(Fraction(c, n))}) {log_name}({_fraction_text_bare(Fraction(c, n))})"
        for c, times in groups.items()
    )
    return value, f"-[{terms}] = {fmt(value)}"


def _entropy_value(counts: list[int], n: int, base: float) -> float:
    """The entropy of a histogram alone (the bins added largest first, as the working lists them)."""
    nonzero = sorted((c for c in counts if c), reverse=True)
    return abs(-sum(c / n * math.log(c / n, base) for c in nonzero))


# ----------------------------------------------------------------------------
# mistake catalogue: the solver's own computations with one step done wrong

SHORT_NAMES = {"ssd": "SSD", "sad": "SAD", "joint_entropy": "H(A,B)", "mi": "MI"}


def _information_value(measure: str, a: Image, b: Image, log_base: LogBase) -> float:
    return _information_from(measure, *entropies(a, b, log_base))


def _not_averaged(params: Params) -> float | None:
    measure, a, b = params.measure, params.a, params.b
    if measure not in ("ssd", "sad"):
        return None
    return float(sum(map(sum, _difference_terms(measure, a, b)[1])))


def _not_averaged_message(params: Params) -> str:
    measure, a, b = params.measure, params.a, params.b
    total, n = sum(map(sum, _difference_terms(measure, a, b)[1])), len(a) * len(a[0])
    term = "(A - B)²" if measure == "ssd" else "|A - B|"
    return (
        f"you did not divide by N: Σ {term} = {total}, and the course defines {SHORT_NAMES.get(measure, measure)} "
        f"as the mean over the N = {n} pixels, {ratio_text(total, n)}"
    )


def _wrong_log_base(params: Params) -> Alternatives | None:
    measure, a, b, log_base = params.measure, params.a, params.b, params.base
    if measure not in ("joint_entropy", "mi"):
        return None
    return Alternatives(tuple(_information_value(measure, a, b, other) for other in LOG_BASES if other != log_base))


def _wrong_log_base_message(params: Params) -> str:
    measure, a, b, log_base = params.measure, params.a, params.b, params.base
    in_bases = " = ".join(f"{fmt(_information_value(measure, a, b, base))} {LOG_BASES[base][2]}" for base in LOG_BASES)
    return (
        f"you used another log base: {SHORT_NAMES.get(measure, measure)} = {in_bases}, "
        f"and the question asks for {LOG_BASE_WORDS[log_base]}, in {LOG_BASES[log_base][2]}"
    )


def _nmi_slip(params: Params, arithmetic: bool) -> float | None:
    if params.measure != "nmi":
        return None
    h_a, h_b, h_joint = entropies(params.a, params.b, params.base)
    mi = h_a + h_b - h_joint
    return 2 * mi / (h_a + h_b) if arithmetic else mi


def _nmi_working(params: Params) -> tuple[str, str, str]:
    """(the entropies, MI, Studholme's NMI) written out with this instance's numbers."""
    h_a, h_b, h_joint = entropies(params.a, params.b, params.base)
    unit = LOG_BASES[params.base][2]
    return (
        f"H(A) = {fmt(h_a)}, H(B) = {fmt(h_b)}, H(A,B) = {fmt(h_joint)} {unit}",
        f"MI = H(A) + H(B) - H(A,B) = {fmt(h_a + h_b - h_joint)} {unit}",
        f"NMI = (H(A) + H(B)) / H(A,B) = ({fmt(h_a)} + {fmt(h_b)}) / {fmt(h_joint)} = {fmt((h_a + h_b) / h_joint)}",
    )


def _arithmetic_nmi_message(params: Params) -> str:
    h_a, h_b, h_joint = entropies(params.a, params.b, params.base)
    mi = h_a + h_b - h_joint
    return (
        f"you normalised MI by the mean of the entropies (scikit-learn's default NMI): 2·MI / (H(A) + H(B)) = "
        f"2·{fmt(mi)} / ({fmt(h_a)} + {fmt(h_b)}) = {fmt(2 * mi / (h_a + h_b))}, but Studholme's {_nmi_working(params)[2]}"
    )


def _mi_for_nmi_message(params: Params) -> str:
    entropies_text, mi_text, nmi_text = _nmi_working(params)
    return f"you gave the mutual information where NMI was asked: with {entropies_text}, {mi_text}, but {nmi_text}"


def _uncentred_cc(params: Params) -> float | None:
    return _correlation_value(*_correlation_sums(params.a, params.b, centred=False)) if params.measure == "cc" else None


def _uncentred_cc_message(params: Params) -> str:
    a, b = params.a, params.b
    raw, centred = _correlation_sums(a, b, centred=False), _correlation_sums(a, b)
    return (
        f"you did not subtract the means: Σab / sqrt(Σa² · Σb²) = {fmt(float(raw[0]))} / sqrt({fmt(float(raw[1]))} · "
        f"{fmt(float(raw[2]))}) = {fmt(_correlation_value(*raw))}, but CC uses the deviations from the means: "
        f"{fmt(float(centred[0]))} / sqrt({fmt(float(centred[1]))} · {fmt(float(centred[2]))}) = {fmt(_correlation_value(*centred))}"
    )


MISTAKES = (
    Mistake("not-averaged", _not_averaged, _not_averaged_message),
    Mistake("wrong-log-base", _wrong_log_base, _wrong_log_base_message),
    Mistake("arithmetic-nmi", lambda params: _nmi_slip(params, arithmetic=True), _arithmetic_nmi_message),
    Mistake("mi-for-nmi", lambda params: _nmi_slip(params, arithmetic=False), _mi_for_nmi_message),
    Mistake("uncentred-cc", _uncentred_cc, _uncentred_cc_message),
)


# ----------------------------------------------------------------------------
# text


def _fraction_text_bare(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _float_grid(rows: list[list[Fraction]]) -> str:
    return format_grid([[fmt(float(v), 3) for v in row] for row in rows])


def question_fields(params: Params) -> dict[str, str]:
    a, log_base = params.a, params.base
    return {
        "variant": params.measure,
        "measure_name": MEASURE_NAMES[params.measure],
        "height": str(len(a)),
        "width": str(len(a[0])),
        "a": format_grid(a),
        "b": format_grid(params.b),
        "log": LOG_BASE_WORDS[log_base],
        "unit": LOG_BASES[log_base][2],
    }


# --------------------------------------------------------------------------- pictures


def pictures(params: Params) -> list[Grid]:
    """The grids this family's text shows, and what they depict (drawn in colour; see mli_drill.problems.pictures)."""
    a, b = params.a, params.b
    values = [v for row in a + b for v in row]
    return [Grid.of("image", a, low=min(values), high=max(values)), Grid.of("image", b, low=min(values), high=max(values))]
