"""Drawing the adaptive features: the optimize report, the practice summary by family, problem levels in stats."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from mli_drill.render.console import console
from mli_drill.render.reports import table


def optimize_report(report: dict[str, Any], out: Console | None = None) -> None:
    out = out or console()
    if not report["enough_history"]:
        out.print(f"Not enough history for a stable fit yet: {report['reviews']:,} reviews.")
        for missing in report["needed"]:
            out.print(escape(f"  needed: {missing}"))
        if any("recall test" in missing for missing in report["needed"]):
            out.print("  (a recall test is a review a day or more after the item's previous review)")
        out.print("Nothing was changed; scheduling keeps its current parameters.")
        return
    tests = report["recall_tests"]
    out.print(
        f"Used {report['reviews']:,} reviews: fitted on the first {report['reviews'] - report['held_out_reviews']:,} "
        f"({tests['fit']:,} recall tests), scored on the most recent {report['held_out_reviews']:,} "
        f"(from {report['held_out_from'][:10]}, {tests['held_out']:,} recall tests).",
    )
    rows = [["default", _f(report["default"]["log_loss"]), _f(report["default"]["rmse_bins"])]]
    if report["current"] is not None:
        when = report["in_use_before"]["fitted_at"][:10]
        rows.append([f"in use (fitted {when})", _f(report["current"]["log_loss"]), _f(report["current"]["rmse_bins"])])
    rows.append(["fitted", _f(report["fitted"]["log_loss"]), _f(report["fitted"]["rmse_bins"])])
    out.print(table("Held-out fifth (lower is better)", ["parameters", "log loss", "RMSE (bins)"], rows, {"log loss", "RMSE (bins)"}))
    if report["adopted"]:
        out.print("Adopted: scheduling uses the fitted parameters from the next answer on.")
        out.print("Back to the defaults: mli-drill config set fsrs-parameters default")
    else:
        kept = "the fitted parameters in use" if report["current"] is not None else "the default parameters"
        out.print(f"Not adopted: the fitted parameters do not predict your held-out reviews better (lower log loss). Scheduling keeps {kept}.")


def optimize_nudge(fitting: dict[str, Any], out: Console | None = None) -> None:
    """``status``: one line when enough reviews have come in to fit FSRS parameters (again)."""
    out = out or console()
    if fitting["last_fit"] is None:
        out.print(f"You have {fitting['reviews']:,} reviews: fit FSRS to your memory with `mli-drill optimize`.")
    else:
        out.print(f"{fitting['reviews_since_last_fit']:,} reviews since FSRS was last fitted: refit with `mli-drill optimize`.")


def _f(value: float) -> str:
    return f"{value:.4f}"


def family_results(out: Console, results: list[Any]) -> None:
    """After practice: each family's answers and its level before → after (when anything was answered)."""
    if not any(r.answered for r in results):
        return
    rows = [[r.family, r.answered, r.correct, r.level_change] for r in results]
    out.print(table("By family", ["family", "answered", "correct", "level"], rows, {"answered", "correct"}))


def problem_levels(out: Console, levels: dict[str, Any]) -> None:
    """``stats``: ability, the level served and predicted success per level, for each family practised.

    Plain aligned lines rather than a rich Table: with every family practised
    a Table costs ``stats`` about 0.1 s to lay out, these a millisecond.
    """
    from rich.text import Text

    practised = {name: row for name, row in levels["families"].items() if row["answers"]}
    out.print()
    if levels["mode"] != "auto":
        out.print(f"Problem level fixed at {levels['mode']} (mli-drill config set level auto lets it follow your ability).")
    if not practised:
        out.print("Problem levels: no problem answered yet; every family starts at the exam level (75% predicted).")
        return
    header = ["family", "ability", "answers", "level", "easy", "exam", "hard"]
    rows = [
        [name, f"{row['ability']:+.2f}", str(row["answers"]), row["level"], *(f"{row['success'][lv]:.0%}" for lv in ("easy", "exam", "hard"))]
        for name, row in sorted(practised.items())
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    left = {0, 3}  # names and levels read left-aligned, numbers right-aligned

    def line(cells: list[str]) -> str:
        return "   ".join(cell.ljust(widths[i]) if i in left else cell.rjust(widths[i]) for i, cell in enumerate(cells)).rstrip()

    out.print(Text("Problem levels: predicted success per level", style="bold"))
    out.print(Text(line(header), style="bold"))
    out.print("─" * sum(widths) + "─" * 3 * (len(widths) - 1))
    for row in rows:
        out.print(Text(line(row)))
    rest = len(levels["families"]) - len(practised)
    out.print(f"auto serves the level nearest {levels['target']:.0%}" + (f"; {rest} families not practised start at exam." if rest else "."))
