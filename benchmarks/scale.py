"""Figure 2: the commands on a large collection (a 10,000-card user deck, 1,000,000 review-log rows).

* ``review`` with empty standard input: it shows the first card, finds the
  input ended and exits. The time to the first card on screen is taken when
  the prompt under the card (``› ...``) reaches the pipe (output unbuffered);
  the time to exit is reported beside it.
* ``status`` and ``stats`` (when the command exists).
* Deck parse caching: ``status`` right after the user deck's *content*
  changed (a comment appended, so any cache keyed on content misses) against
  ``status`` run again on unchanged files.
* ``status`` with an exam date set (it then predicts exam-day recall per item).

All against ``--help`` of the bare typer app, interleaved in each round.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

from benchmarks.common import (
    BENCH_NOW,
    PROMPT_MARKER,
    REPO_ROOT,
    Figure,
    bare_help_command,
    bench_env,
    cli_command,
    command_exists,
    log,
    median,
    ratio,
    timed_run,
)

BARE = "bare typer app --help"


def bump_deck(deck_path: Path, number: int) -> None:
    """Change the deck file's content without changing any card (defeats a content-keyed cache)."""
    with deck_path.open("a", encoding="utf-8") as handle:
        handle.write(f"# benchmark edit {number}\n")


def measure(home: Path, deck_path: Path, repeats: int, label: str) -> list[Figure]:
    cli = cli_command()
    env = bench_env(home)
    log("  scale: first run of the day (daily backup, sync of the bundled decks)")
    first = timed_run([*cli, "status"], env).total
    has_stats = command_exists("stats", env)
    timed_run(bare_help_command(), bench_env(None))
    keys = ["bare", "review_card", "review_exit", "status_cold", "status_warm"] + (["stats"] if has_stats else [])
    runs: dict[str, list[float]] = {k: [] for k in keys}
    missed_marker = 0  # runs where the prompt never appeared: the time to exit stands in (an upper bound)
    for index in range(repeats):
        log(f"  scale round {index + 1}/{repeats}")
        bump_deck(deck_path, index)
        runs["status_cold"].append(timed_run([*cli, "status"], env).total)
        runs["status_warm"].append(timed_run([*cli, "status"], env).total)
        review = timed_run([*cli, "review"], env, marker=PROMPT_MARKER)
        missed_marker += review.marker is None
        runs["review_card"].append(review.total if review.marker is None else review.marker)
        runs["review_exit"].append(review.total)
        if has_stats:
            runs["stats"].append(timed_run([*cli, "stats"], env).total)
        runs["bare"].append(timed_run(bare_help_command(), bench_env(None)).total)
    med = {k: median(v) for k, v in runs.items()}
    bare = med["bare"]
    figures = [
        Figure(f"scale: bare typer --help (baseline) [{label}]", bare, "s", note=f"median of {repeats}"),
        Figure("scale: first command of the day (status)", first, "s", BARE, bare, ratio(first, bare),
               note="includes the integrity check (the synthetic file was written outside the tool), the automatic daily backup of the whole database and syncing the bundled decks; one run"),
        _timing("scale: review, time to the first card on screen", med["review_card"], bare, 2.0,
                note=f"the prompt was not seen in {missed_marker} run(s): time to exit used (upper bound)" if missed_marker else ""),
        Figure("scale: review, time to exit on empty input", med["review_exit"], "s", BARE, bare, ratio(med["review_exit"], bare),
               note="first card, end of input, session summary; information only"),
        _timing("scale: status", med["status_warm"], bare, 3.0),
    ]
    if has_stats:
        figures.append(_timing("scale: stats", med["stats"], bare, 3.0))
    else:
        figures.append(Figure("scale: stats", None, "s", target="<= 3x", note="skipped: `mli-drill stats` does not exist in this tree yet"))
    figures.append(Figure("scale: status second run vs first after a deck edit (parse cache)", med["status_warm"], "s",
                          "status right after the deck content changed", med["status_cold"], ratio(med["status_warm"], med["status_cold"]),
                          note="information: ~1.0 means no deck parse cache; lower is the cache's saving"))
    figures.append(_exam_date_status(cli, env, repeats))
    return figures


def _exam_date_status(cli: list[str], env: dict[str, str], repeats: int) -> Figure:
    """``status`` once an exam date is set: it computes every item's predicted recall on exam day."""
    from mli_drill.clock import parse_time

    exam_day = (parse_time(BENCH_NOW) + timedelta(days=30)).date().isoformat()
    name = "scale: status with an exam date set"
    setting = subprocess.run([*cli, "config", "set", "exam-date", exam_day], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    if setting.returncode != 0:
        return Figure(name, None, "s", target="<= 3x", note=f"skipped: `config set exam-date` failed: {setting.stderr.strip()[:200]}")
    status, bare = [], []
    try:
        for _ in range(repeats):
            status.append(timed_run([*cli, "status"], env).total)
            bare.append(timed_run(bare_help_command(), bench_env(None)).total)
    finally:
        subprocess.run([*cli, "config", "unset", "exam-date"], env=env, cwd=REPO_ROOT, check=True, capture_output=True)
    return _timing(name, median(status), median(bare), 3.0,
                   note=f"median of {repeats}, interleaved with its own bare --help runs; the status target applied")


def _timing(name: str, value: float, baseline: float, limit: float, note: str = "") -> Figure:
    r = ratio(value, baseline)
    return Figure(name, value, "s", BARE, baseline, r, f"<= {limit:g}x", None if r is None else r <= limit, note)
