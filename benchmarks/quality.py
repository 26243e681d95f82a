"""Figure 5: how well the scheduler predicts recall, on a real review history, against Anki's SM-2.

The history (``benchmarks/data/fsrs-review-log-sample.csv``, a real Anki
history from the py-fsrs project, MIT; see ``benchmarks/data/README.md``) is
replayed card by card, in time order, through

* the tool: ``mli_drill.review.scheduling.review`` and ``retrievability`` with the
  default ``Policy`` and fuzz off;
* SM-2 as Anki runs it: the ``anki-sm-2`` package's ``Scheduler`` with its
  defaults and fuzz off. SM-2 has no recall probability of its own; as the
  FSRS benchmark (open-spaced-repetition/srs-benchmark) does for SM-2, the
  prediction is R = 0.9 ** (elapsed days / scheduled interval in days), where
  the interval is the time from the last review to the due date, at least
  one day (a learning step of minutes stands for "tomorrow" at day level).

Every review of a card after its first is evaluated *before* it is applied,
but only when at least a whole day (24 h) passed since the previous review of
that card: same-day learning steps are excluded, as in the FSRS benchmark, and
the tool's FSRS counts elapsed time in whole days. All reviews, same-day ones
included, still update both schedulers' states. Recall is observed as a
rating above 1 (again = forgotten).

Metrics: log loss (mean negative log-likelihood, probabilities clipped to
[1e-6, 1 - 1e-6]) and RMSE over 20 equal-width bins of predicted recall (per
bin the mean prediction against the observed recall rate, squared error
weighted by the bin's count); ``mli_drill.review.optimizer.score`` computes both.

Fitted parameters (``mli-drill optimize``): the same history goes through
``mli_drill.review.optimizer.optimize``, exactly as the command runs it on a
student's log. It fits FSRS-6 with fsrs-rs-python on the first 80% of the
reviews by time and scores the default and the fitted parameters on the last
20%; SM-2 is scored on the same held-out reviews (its state replayed from the
start), so the three stand side by side in one run.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks.common import Figure, ratio
from mli_drill.review.optimizer import Scores, score

DEFAULT_LOG = Path(__file__).resolve().parent / "data" / "fsrs-review-log-sample.csv"
BINS = 20
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Review:
    card_id: str
    rating: int
    at: datetime


__all__ = ["Scores", "score", "measure", "read_reviews", "evaluated", "replay_tool", "replay_sm2", "held_out"]


def review_log_path() -> Path:
    """The review history shipped in the repository (``benchmarks/data/``)."""
    return DEFAULT_LOG


def read_reviews(path: Path) -> dict[str, list[Review]]:
    """Reviews per card, in time order."""
    from mli_drill.clock import parse_time

    cards: dict[str, list[Review]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cards[row["card_id"]].append(Review(row["card_id"], int(row["review_rating"]), parse_time(row["review_time"])))
    for reviews in cards.values():
        reviews.sort(key=lambda r: r.at)
    return dict(cards)


def evaluated(previous: datetime, current: datetime) -> bool:
    """Only reviews a whole day or more after the previous one are scored."""
    return current - previous >= timedelta(days=1)


def histories(cards: dict[str, list[Review]]) -> dict[str, list[tuple[datetime, int]]]:
    """The reviews as ``mli_drill.review.optimizer`` reads a student's log: (time, rating) per item key."""
    return {f"card:{card_id}": [(r.at, r.rating) for r in reviews] for card_id, reviews in cards.items()}


def replay_tool(cards: dict[str, list[Review]], parameters: tuple[float, ...] | None = None) -> list[tuple[float, int]]:
    """(predicted recall, recalled) for each scored review, with mli-drill's FSRS (default or given parameters)."""
    from mli_drill.review.optimizer import replay
    from mli_drill.review.scheduling import Policy

    return replay(histories(cards), Policy(fuzz=False, parameters=parameters))


def replay_sm2(cards: dict[str, list[Review]], scored_from: datetime | None = None) -> list[tuple[float, int]]:
    """(predicted recall, recalled) for each scored review (from ``scored_from`` on), with Anki's SM-2 and R = 0.9^(t/I)."""
    import anki_sm_2

    scheduler = anki_sm_2.Scheduler()
    scheduler._get_fuzzed_interval = lambda interval: interval  # type: ignore[method-assign]  # fuzz off
    pairs = []
    for card_id, reviews in cards.items():
        card = anki_sm_2.Card(card_id=1, due=reviews[0].at)
        last: datetime | None = None
        for event in reviews:
            if last is not None and evaluated(last, event.at) and (scored_from is None or event.at >= scored_from):
                interval = max(1.0, (card.due - last).total_seconds() / SECONDS_PER_DAY)
                elapsed = (event.at - last).days  # whole days, as the tool's FSRS counts them
                pairs.append((0.9 ** (elapsed / interval), int(event.rating > 1)))
            card, _ = scheduler.review_card(card, anki_sm_2.Rating(event.rating), review_datetime=event.at)
            last = event.at
    return pairs


def measure(path: Path | None = None) -> list[Figure]:
    path = path or review_log_path()
    cards = read_reviews(path)
    tool, sm2 = score(replay_tool(cards)), score(replay_sm2(cards))
    total = sum(len(r) for r in cards.values())
    about = (f"{tool.count:,} of {total:,} reviews scored ({len(cards):,} cards); mean predicted {tool.mean_predicted:.3f} "
             f"(SM-2 {sm2.mean_predicted:.3f}) vs observed recall {tool.mean_observed:.3f}")
    return [
        Figure("quality: log loss (FSRS, default policy)", tool.log_loss, "", "Anki SM-2, R = 0.9^(t/I)", sm2.log_loss,
               ratio(tool.log_loss, sm2.log_loss), "below SM-2 (ratio < 1)", tool.log_loss < sm2.log_loss, about),
        Figure(f"quality: RMSE over {BINS} bins of predicted recall", tool.rmse_bins, "", "Anki SM-2, R = 0.9^(t/I)", sm2.rmse_bins,
               ratio(tool.rmse_bins, sm2.rmse_bins), "below SM-2 (ratio < 1)", tool.rmse_bins < sm2.rmse_bins),
        *held_out(cards),
    ]


def held_out(cards: dict[str, list[Review]]) -> list[Figure]:
    """Default, fitted (mli-drill optimize) and SM-2 on the last 20% of the reviews by time, fitted on the first 80%."""
    from mli_drill.review.optimizer import optimize
    from mli_drill.review.scheduling import Policy

    fit = optimize(histories(cards), Policy())
    prefix = "quality, last 20% by time"
    if not fit.enough or fit.default is None or fit.fitted is None or fit.split.held_out_from is None:
        note = "skipped: too little history to fit (" + "; ".join(fit.shortfalls) + ")"
        return [Figure(f"{prefix}: log loss, fitted FSRS", None, "", target="below default", note=note)]
    default, fitted = fit.default, fit.fitted
    sm2 = score(replay_sm2(cards, fit.split.held_out_from))
    about = (f"fitted by fsrs-rs-python on {fit.split.reviews - fit.split.held_out_reviews:,} reviews, scored on the "
             f"{fit.split.held_out_reviews:,} from {fit.split.held_out_from:%Y-%m-%d %H:%M} on ({default.count:,} recall tests); "
             f"log loss default {default.log_loss:.4f} / fitted {fitted.log_loss:.4f} / SM-2 {sm2.log_loss:.4f}; "
             f"RMSE default {default.rmse_bins:.4f} / fitted {fitted.rmse_bins:.4f} / SM-2 {sm2.rmse_bins:.4f}; "
             f"optimize would {'adopt' if fit.adopt else 'not adopt'} them")
    return [
        Figure(f"{prefix}: log loss, fitted FSRS", fitted.log_loss, "", "default FSRS", default.log_loss,
               ratio(fitted.log_loss, default.log_loss), "below default (ratio < 1)", fitted.log_loss < default.log_loss, about),
        Figure(f"{prefix}: log loss, default FSRS", default.log_loss, "", "Anki SM-2", sm2.log_loss,
               ratio(default.log_loss, sm2.log_loss), "below SM-2 (ratio < 1)", default.log_loss < sm2.log_loss),
        Figure(f"{prefix}: RMSE(bins), fitted FSRS", fitted.rmse_bins, "", "default FSRS", default.rmse_bins,
               ratio(fitted.rmse_bins, default.rmse_bins), "information (log loss decides)", None),
        Figure(f"{prefix}: RMSE(bins), default FSRS", default.rmse_bins, "", "Anki SM-2", sm2.rmse_bins,
               ratio(default.rmse_bins, sm2.rmse_bins), "below SM-2 (ratio < 1)", default.rmse_bins < sm2.rmse_bins),
    ]
