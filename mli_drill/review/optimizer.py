"""Fitting FSRS-6 parameters to one student's review log, and judging them on reviews held out.

``mli-drill optimize`` (and the scheduling-quality benchmark) run this:

1. **Split by time.** The reviews are put in time order; the most recent
   fifth (:data:`HELD_OUT_SHARE`) is held out. Fitting sees only the rest.
2. **Fit** with ``fsrs-rs-python``, the Python binding of fsrs-rs, the Rust
   optimizer Anki uses, with its default training settings (5 epochs) and
   one relearning step, as mli-drill's scheduler has. Every review made a
   whole day (24 h) or more after the same item's previous review is a
   training target, with the item's earlier reviews as its history; elapsed
   time is counted in whole 24-hour days, as the ``fsrs`` package that
   schedules counts it.
3. **Score** the default, the parameters in use (when a fit was adopted
   before) and the fitted parameters on the held-out fifth, by replaying
   every item's whole history through mli-drill's own scheduler
   (:mod:`mli_drill.review.scheduling`, fuzz off) and asking it, before each
   held-out review made a day or more after the previous one, how likely
   recall is. Log loss (mean negative log-likelihood, probabilities clipped
   to [1e-6, 1 − 1e-6]) and RMSE over 20 equal-width bins of predicted recall
   (per bin, mean prediction against observed recall, weighted by the bin's
   count). Recall is a rating above 1 (again = forgotten).
4. **Adopt** the fitted parameters only when their held-out log loss is
   lower than both the defaults' and those in use. Log loss is the proper
   scoring rule the fit minimises; RMSE(bins) is reported to show
   calibration, but on a few hundred held-out reviews its bins are too thin
   to decide. The adopted parameters are the ones scored, fitted without the
   held-out fifth, so the figures describe exactly what is used.

Too little history gives an unstable fit, so nothing is fitted below
:data:`MIN_REVIEWS` reviews, :data:`MIN_FIT_TESTS` recall tests (reviews a
day or more after the item's previous one) before the held-out fifth, or
:data:`MIN_HELD_OUT_TESTS` recall tests in it. The second is where fsrs-rs
itself starts fitting all 21 parameters (below it, only the four initial
stabilities); the others keep the held-out comparison from resting on a
handful of answers.

Why fsrs-rs-python: it is the optimizer Anki ships (the same Rust crate), so
the parameters are fitted as millions of Anki users' are; it fits FSRS-6's
21 parameters in the order and within the bounds the ``fsrs`` package checks
(both from open-spaced-repetition); it needs no PyTorch (py-fsrs's own
optimizer does, a download of hundreds of megabytes) and fits a few
thousand reviews in well under a second; and it ships binary wheels for
CPython 3.10-3.14 on Linux (x86-64, aarch64, glibc and musl), macOS (Intel
and Apple silicon) and Windows, so ``pip install .`` needs no Rust
toolchain. Its Rust core, the fsrs crate, is BSD-3-Clause; the binding's own
repository declares no licence (see docs/adaptive.md).

It is imported only inside :func:`fit_parameters`, so no other command pays
for it. Everything else here is pure (no I/O).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from mli_drill.model import ItemState
from mli_drill.vocabulary import ItemKey, Rating
from mli_drill.review.scheduling import retrievability, review

if TYPE_CHECKING:
    from mli_drill.review.scheduling import Policy

HELD_OUT_SHARE = 0.2
MIN_REVIEWS = 400
MIN_FIT_TESTS = 64
MIN_HELD_OUT_TESTS = 20
NUDGE_NEW_REVIEWS = 400  # status suggests optimize again after this many reviews since the last fit
PARAMETER_COUNT = 21
BINS = 20
EPS = 1e-6
FLOAT32_SLACK = 1e-6  # fsrs-rs works in float32: a bound such as 0.8 comes back as 0.800000011920929

Review = tuple[datetime, int]  # (time, rating 1-4)


# -- scoring -------------------------------------------------------------------------
@dataclass(frozen=True)
class Scores:
    log_loss: float
    rmse_bins: float
    count: int
    mean_predicted: float
    mean_observed: float

    def to_dict(self) -> dict[str, float | int]:
        return {"log_loss": round(self.log_loss, 4), "rmse_bins": round(self.rmse_bins, 4), "count": self.count,
                "mean_predicted": round(self.mean_predicted, 4), "mean_observed": round(self.mean_observed, 4)}


def score(pairs: Iterable[tuple[float, int]], bins: int = BINS) -> Scores:
    """Log loss and binned RMSE of (predicted recall, recalled 0/1) pairs."""
    pairs = list(pairs)
    if not pairs:
        raise ValueError("no review to score")
    loss = 0.0
    sums = [[0.0, 0.0, 0] for _ in range(bins)]  # predicted, observed, count
    for predicted, recalled in pairs:
        p = min(1 - EPS, max(EPS, predicted))
        loss -= math.log(p) if recalled else math.log(1 - p)
        bucket = sums[min(bins - 1, int(predicted * bins))]
        bucket[0] += predicted
        bucket[1] += recalled
        bucket[2] += 1
    n = len(pairs)
    squared = sum(c * (p / c - o / c) ** 2 for p, o, c in sums if c)
    return Scores(loss / n, math.sqrt(squared / n), n, sum(p for p, _ in pairs) / n, sum(r for _, r in pairs) / n)


def is_recall_test(previous: datetime, current: datetime) -> bool:
    """A review a whole day or more after the item's previous one: it tests long-term memory."""
    return current - previous >= timedelta(days=1)


def replay(histories: Mapping[str, Sequence[Review]], policy: "Policy", scored_from: datetime | None = None) -> list[tuple[float, int]]:
    """(predicted recall, recalled) for each recall test at or after ``scored_from``, through mli-drill's scheduler.

    Every review, scored or not, moves the item's state, as it did when made.
    """
    pairs = []
    for key, reviews in histories.items():
        item = ItemState(key=key, kind=ItemKey.parse(key).kind)
        previous: datetime | None = None
        for at, rating in reviews:
            if previous is not None and is_recall_test(previous, at) and (scored_from is None or at >= scored_from):
                pairs.append((retrievability(item, at, policy), int(rating > 1)))
            item = review(item, Rating(rating), at, policy)
            previous = at
    return pairs


# -- the history ------------------------------------------------------------------------
def histories_from_rows(rows: Iterable[tuple[str, datetime, int]]) -> dict[str, list[Review]]:
    """Reviews per item, each item's in time order."""
    found: dict[str, list[Review]] = {}
    for key, at, rating in rows:
        found.setdefault(key, []).append((at, int(rating)))
    for reviews in found.values():
        reviews.sort(key=lambda review: review[0])
    return found


@dataclass(frozen=True)
class Split:
    """The history cut in time: reviews before ``held_out_from`` fit, the rest judge."""

    reviews: int
    held_out_from: datetime | None
    held_out_reviews: int
    fit_tests: int  # recall tests before the cut
    held_out_tests: int

    def shortfalls(self) -> list[str]:
        """What is missing for a stable fit, each as "N more ..." (empty: enough)."""
        missing = []
        if self.reviews < MIN_REVIEWS:
            missing.append(f"{_more(MIN_REVIEWS - self.reviews, 'review')} (you have {self.reviews} of the {MIN_REVIEWS} needed)")
        if self.fit_tests < MIN_FIT_TESTS:
            missing.append(f"{_more(MIN_FIT_TESTS - self.fit_tests, 'recall test')} before the most recent fifth ({self.fit_tests} of {MIN_FIT_TESTS})")
        if self.held_out_tests < MIN_HELD_OUT_TESTS:
            missing.append(f"{_more(MIN_HELD_OUT_TESTS - self.held_out_tests, 'recall test')} in the most recent fifth "
                           f"({self.held_out_tests} of {MIN_HELD_OUT_TESTS})")
        return missing

    def to_dict(self) -> dict[str, Any]:
        return {"reviews": self.reviews, "held_out_reviews": self.held_out_reviews,
                "held_out_from": None if self.held_out_from is None else self.held_out_from.isoformat(timespec="seconds"),
                "recall_tests": {"fit": self.fit_tests, "held_out": self.held_out_tests}}


def _more(count: int, noun: str) -> str:
    return f"{count} more {noun}" + ("" if count == 1 else "s")


def split(histories: Mapping[str, Sequence[Review]], held_out_share: float = HELD_OUT_SHARE) -> Split:
    """Hold out the most recent ``held_out_share`` of the reviews (by time; reviews at the cut's instant go with it)."""
    times = sorted(at for reviews in histories.values() for at, _ in reviews)
    if not times:
        return Split(0, None, 0, 0, 0)
    cut = times[min(len(times) - 1, int(len(times) * (1 - held_out_share)))]
    held_out = len(times) - next(i for i, at in enumerate(times) if at >= cut)
    fit_tests = held_out_tests = 0
    for reviews in histories.values():
        for (previous, _), (at, _) in zip(reviews, reviews[1:]):
            if is_recall_test(previous, at):
                if at >= cut:
                    held_out_tests += 1
                else:
                    fit_tests += 1
    return Split(len(times), cut, held_out, fit_tests, held_out_tests)


# -- fitting -----------------------------------------------------------------------------
def fsrs_items(histories: Mapping[str, Sequence[Review]], before: datetime | None = None) -> list[Any]:
    """fsrs-rs training items: one per recall test made before ``before``, with the item's earlier reviews as history."""
    import fsrs_rs_python

    items = []
    for reviews in histories.values():
        so_far: list[Any] = []
        previous: datetime | None = None
        for at, rating in reviews:
            days = 0 if previous is None else max(0, (at - previous).days)
            so_far.append(fsrs_rs_python.FSRSReview(rating, days))
            if previous is not None and days >= 1 and (before is None or at < before):
                items.append(fsrs_rs_python.FSRSItem(list(so_far)))
            previous = at
    return items


def fit_parameters(histories: Mapping[str, Sequence[Review]], before: datetime | None = None) -> tuple[float, ...]:
    """FSRS-6 parameters fitted by fsrs-rs to the reviews made before ``before``, checked for the ``fsrs`` package."""
    import fsrs_rs_python

    items = fsrs_items(histories, before)
    fitted = fsrs_rs_python.FSRS(fsrs_rs_python.DEFAULT_PARAMETERS).compute_parameters(
        items, enable_short_term=True, num_relearning_steps=1
    )
    return checked_parameters(fitted)


def checked_parameters(values: Sequence[float]) -> tuple[float, ...]:
    """21 finite parameters within the bounds the ``fsrs`` package enforces (ValueError otherwise).

    fsrs-rs clips to the same bounds in float32, so a value on a bound can
    come back a hair outside it (0.8 as 0.800000011920929): such a value is
    put back on the bound. Anything further out is an error, not clipped.
    """
    import fsrs
    from fsrs import scheduler as fsrs_scheduler

    values = [float(v) for v in values]
    if len(values) != PARAMETER_COUNT or not all(math.isfinite(v) for v in values):
        raise ValueError(f"expected {PARAMETER_COUNT} finite FSRS-6 parameters, got {values!r}")
    lower = getattr(fsrs_scheduler, "LOWER_BOUNDS_PARAMETERS", None)
    upper = getattr(fsrs_scheduler, "UPPER_BOUNDS_PARAMETERS", None)
    if lower is not None and upper is not None:
        for index, (value, low, high) in enumerate(zip(values, lower, upper)):
            if low - FLOAT32_SLACK <= value < low:
                values[index] = low
            elif high < value <= high + FLOAT32_SLACK:
                values[index] = high
    fsrs.Scheduler(parameters=values)  # raises ValueError naming any parameter out of bounds
    return tuple(values)


# -- the whole run --------------------------------------------------------------------------
@dataclass
class Fit:
    """One run of optimize: the split, the figures and the decision."""

    split: Split
    parameters: tuple[float, ...] = ()
    default: Scores | None = None
    current: Scores | None = None  # the parameters in use before, when they were fitted ones
    fitted: Scores | None = None
    adopt: bool = False
    shortfalls: list[str] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return not self.shortfalls

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.split.to_dict(),
            "enough_history": self.enough,
            "needed": self.shortfalls,
            "minimum": {"reviews": MIN_REVIEWS, "fit_recall_tests": MIN_FIT_TESTS, "held_out_recall_tests": MIN_HELD_OUT_TESTS},
            "default": None if self.default is None else self.default.to_dict(),
            "current": None if self.current is None else self.current.to_dict(),
            "fitted": None if self.fitted is None else self.fitted.to_dict(),
            "parameters": list(self.parameters) if self.parameters else None,
            "adopted": self.adopt,
        }


def optimize(histories: Mapping[str, Sequence[Review]], base: "Policy", in_use: tuple[float, ...] | None = None) -> Fit:
    """Fit on the older four fifths, score default / in use / fitted on the newest fifth, decide whether to adopt.

    ``base`` supplies the desired retention (it does not change predictions);
    fuzz is off for scoring. Nothing is fitted when the history is too short.
    """
    from dataclasses import replace

    cut = split(histories)
    fit = Fit(cut, shortfalls=cut.shortfalls())
    if not fit.enough or cut.held_out_from is None:
        return fit
    plain = replace(base, fuzz=False, exam_date=None, parameters=None)
    fit.parameters = fit_parameters(histories, before=cut.held_out_from)
    fit.default = score(replay(histories, plain, cut.held_out_from))
    if in_use is not None:
        fit.current = score(replay(histories, replace(plain, parameters=tuple(in_use)), cut.held_out_from))
    fit.fitted = score(replay(histories, replace(plain, parameters=fit.parameters), cut.held_out_from))
    rivals = [s for s in (fit.default, fit.current) if s is not None]
    fit.adopt = all(fit.fitted.log_loss < rival.log_loss for rival in rivals)
    return fit
