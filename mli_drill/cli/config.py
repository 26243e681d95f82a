"""``mli-drill config``: get, set and list settings (kept in the data directory)."""

from __future__ import annotations

from typing import Optional

import typer

from mli_drill.cli import completion
from mli_drill.cli.negative_numbers import NegativeNumbersCommand

app = typer.Typer(help="Settings: exam-date, desired-retention, new-per-day, level, keys, fsrs-parameters.", no_args_is_help=True)

# Kept in the database, not settings.json: the FSRS parameters fitted by `mli-drill optimize`.
FSRS_PARAMETERS = "fsrs-parameters"
FSRS_PARAMETERS_HELP = "FSRS-6 parameters: default, or fitted by mli-drill optimize (only `default` can be set)"


def _fsrs_parameters() -> str:
    """``default``, or ``fitted <time>`` for the parameters in use."""
    from mli_drill.cli.common import open_db

    fit = open_db().adaptive.fit_in_use()
    return "default" if fit is None else f"fitted {fit.fitted_at}"


def _reset_fsrs_parameters(value: str) -> None:
    from mli_drill.render.console import echo
    from mli_drill.cli.common import open_db
    from mli_drill.settings import SettingsError

    if value != "default":
        raise SettingsError(f"{FSRS_PARAMETERS}: only `default` can be set; fit your own with `mli-drill optimize`")
    was_fitted = open_db().adaptive.use_default_parameters()
    echo(f"{FSRS_PARAMETERS} = default" + (" (the fitted parameters are kept in the database's fit history)" if was_fitted else ""))


def _is_fsrs_parameters(name: str) -> bool:
    return name.strip().lower().replace("_", "-") == FSRS_PARAMETERS


@app.command("list")
def list_settings(json_output: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Every setting with its value and what it does."""
    from mli_drill.render.console import console, print_json
    from mli_drill.render.reports import table
    from mli_drill.cli.common import settings
    from mli_drill.settings import SETTINGS

    values = {**settings(), FSRS_PARAMETERS: _fsrs_parameters()}
    if json_output:
        print_json(values)
        return
    rows = [[name, "" if values[name] is None else values[name], s.help] for name, s in SETTINGS.items()]
    rows.append([FSRS_PARAMETERS, values[FSRS_PARAMETERS], FSRS_PARAMETERS_HELP])
    console().print(table(None, ["setting", "value", "meaning"], rows))


@app.command("get")
def get(name: str = typer.Argument(..., help="Setting name, e.g. exam-date.", autocompletion=completion.settings)) -> None:
    """Print one setting's value (empty when unset)."""
    from mli_drill.render.console import echo
    from mli_drill.cli.common import settings
    from mli_drill.settings import setting_name

    if _is_fsrs_parameters(name):
        echo(_fsrs_parameters())
        return
    value = settings()[setting_name(name)]
    echo("" if value is None else str(value))


@app.command("set", cls=NegativeNumbersCommand)
def set_setting(
    name: str = typer.Argument(..., help="Setting name (see `config list`).", autocompletion=completion.settings),
    value: str = typer.Argument(..., help="The new value.", autocompletion=completion.setting_values),
) -> None:
    """Change a setting, e.g. `mli-drill config set exam-date 2027-05-20` or `config set desired-retention 90%`.

    A value out of range is refused with the range; so is an exam date before today.
    `config set fsrs-parameters default` goes back to FSRS's default parameters.
    """
    from mli_drill import clock, paths
    from mli_drill.render.console import echo
    from mli_drill.settings import set_value, setting_name

    if _is_fsrs_parameters(name):
        _reset_fsrs_parameters(value)
        return
    name = setting_name(name)
    stored = set_value(paths.settings_path(), name, value, today=clock.now().astimezone().date())
    echo(f"{name} = {stored}")


@app.command("unset")
def unset(name: str = typer.Argument(..., help="Setting name.", autocompletion=completion.settings)) -> None:
    """Return a setting to its default."""
    from mli_drill import paths
    from mli_drill.render.console import echo
    from mli_drill.settings import set_value, setting_name

    if _is_fsrs_parameters(name):
        _reset_fsrs_parameters("default")
        return
    name = setting_name(name)
    default: Optional[object] = set_value(paths.settings_path(), name, None)
    echo(f"{name} unset" if default is None else f"{name} = {default} (default)")
