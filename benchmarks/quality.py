"""Figure 5: how well the scheduler predicts recall, on a real review history, against Anki's SM-2.

The history (``benchmarks/data/fsrs-review-log-sample.csv``, a real Anki
history from the py-fsrs project, MIT; see ``benchmarks/data/README.md``) is
replayed card by card, in time order, through

* the tool: ``mli_drill.scheduling.review`` and ``retrievability`` with the
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
weighted by the bin's count).
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable

from benchmarks.common import Figure, ratio

DEFAULT_LOG = Path(__file__).resolve().parent / "data" / "fsrs-review-log-sample.csv"
BINS = 20
EPS = 1e-6
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Review:
    card_id: str
    rating: int
    at: datetime


@dataclass
class Scores:
    log_loss: float
    rmse_bins: float
    count: int
    mean_predicted: float
    mean_observed: float


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


def replay_tool(cards: dict[str, list[Review]]) -> list[tuple[float, int]]:
    """(predicted recall, recalled) for each scored review, with mli-drill's FSRS."""
    from mli_drill.model import ItemState
    from mli_drill.scheduling import Policy, retrievability, review

    policy = Policy(fuzz=False)
    pairs = []
    for card_id, reviews in cards.items():
        item = ItemState(key=f"card:{card_id}", kind="card")
        for index, event in enumerate(reviews):
            if index > 0 and evaluated(reviews[index - 1].at, event.at):
                pairs.append((retrievability(item, event.at, policy), int(event.rating > 1)))
            item = review(item, event.rating, event.at, policy)
    return pairs


def replay_sm2(cards: dict[str, list[Review]]) -> list[tuple[float, int]]:
    """(predicted recall, recalled) for each scored review, with Anki's SM-2 and R = 0.9^(t/I)."""
    import anki_sm_2

    scheduler = anki_sm_2.Scheduler()
    scheduler._get_fuzzed_interval = lambda interval: interval  # type: ignore[method-assign]  # fuzz off
    pairs = []
    for card_id, reviews in cards.items():
        card = anki_sm_2.Card(card_id=1, due=reviews[0].at)
        last: datetime | None = None
        for event in reviews:
            if last is not None and evaluated(last, event.at):
                interval = max(1.0, (card.due - last).total_seconds() / SECONDS_PER_DAY)
                elapsed = (event.at - last).days  # whole days, as the tool's FSRS counts them
                pairs.append((0.9 ** (elapsed / interval), int(event.rating > 1)))
            card, _ = scheduler.review_card(card, anki_sm_2.Rating(event.rating), review_datetime=event.at)
            last = event.at
    return pairs


def score(pairs: Iterable[tuple[float, int]], bins: int = BINS) -> Scores:
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
    ]
