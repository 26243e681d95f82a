"""``mli-drill optimize``: fit FSRS-6 parameters to your own review log; adopt them when they predict better."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("optimize")(optimize)


def optimize(json_output: bool = typer.Option(False, "--json", help="Print the figures as JSON.")) -> None:
    """Fit FSRS-6 parameters to your review log and adopt them if they predict your recall better.

    The most recent fifth of your reviews is held out: the parameters are fitted
    on the rest, and the default, the parameters in use and the fitted ones are
    scored there (log loss and RMSE over bins). The fitted ones are adopted only
    when their log loss is lower; scheduling uses them from the next answer on.
    With too little history (400 reviews, 64 recall tests before the held-out
    fifth and 20 in it) nothing changes. Back to the defaults:
    `mli-drill config set fsrs-parameters default`.
    """
    from mli_drill import clock
    from mli_drill.cli.common import open_db, policy
    from mli_drill.review.optimizer import histories_from_rows, optimize as run
    from mli_drill.render.adaptive import optimize_report

    store = open_db()
    now = clock.now()
    histories = histories_from_rows((key, clock.parse_time(at), rating) for key, at, rating in store.adaptive.review_history())
    before = store.adaptive.fit_in_use()
    fit = run(histories, policy(), before.parameters if before else None)
    figures = fit.to_dict()
    if fit.enough:
        store.adaptive.record_fit(clock.iso(now), fit.split.reviews, fit.parameters, figures, fit.adopt)
    report = {**figures, "fitted_at": clock.iso(now) if fit.enough else None,
              "in_use_before": None if before is None else {"fitted_at": before.fitted_at, "reviews": before.reviews}}
    if json_output:
        from mli_drill.render.console import print_json

        print_json(report)
        return
    optimize_report(report)
