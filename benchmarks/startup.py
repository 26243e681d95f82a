"""Figure 1: start-up time, and which heavy modules the CLI imports before any command runs.

``mli-drill --help`` and ``mli-drill status`` (bundled decks only, fresh data
directory) are timed against ``--help`` of a bare three-command typer app run
by the same interpreter, interleaved, medians of ``repeats`` runs each.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import (
    BARE_APP,
    REPO_ROOT,
    Figure,
    bare_help_command,
    bench_env,
    cli_command,
    log,
    median,
    ratio,
    timed_run,
)

HEAVY_MODULES = ("numpy", "sqlite_utils", "fsrs", "fsrs_rs_python", "yaml")
# Tab after `mli-drill suspend `: the largest completion (every card id and family), as a bash completion script asks it
COMPLETE_CARD_IDS = {"COMP_WORDS": "mli-drill suspend ", "COMP_CWORD": "2", "_MLI_DRILL_COMPLETE": "complete_bash"}
IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


def measure(repeats: int) -> list[Figure]:
    """Time --help and status against the bare typer app; report heavy imports."""
    workdir = Path(tempfile.mkdtemp(prefix="mli-bench-startup-"))
    try:
        return _measure(workdir, repeats) + [import_check()]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _measure(workdir: Path, repeats: int) -> list[Figure]:
    cli = cli_command()
    plain_env = bench_env(None, {"BARE_TYPER_PLAIN": "1"})
    steady_home = workdir / "steady"
    bare_run = [sys.executable, str(BARE_APP), "status"]
    complete_env = bench_env(steady_home, COMPLETE_CARD_IDS)
    runs: dict[str, list[float]] = {
        k: [] for k in ("bare", "bare_plain", "bare_run", "help", "status_fresh", "status_steady", "complete")
    }
    timed_run(bare_help_command(), bench_env(None))  # warm the bytecode caches of both sides
    timed_run([*cli, "--help"], bench_env(None))
    timed_run([*cli, "status"], bench_env(steady_home))  # creates the database the steady runs reuse
    for index in range(repeats):
        log(f"  start-up round {index + 1}/{repeats}")
        runs["bare"].append(timed_run(bare_help_command(), bench_env(None)).total)
        runs["help"].append(timed_run([*cli, "--help"], bench_env(None)).total)
        runs["bare_plain"].append(timed_run(bare_help_command(), plain_env).total)
        runs["bare_run"].append(timed_run(bare_run, bench_env(None)).total)
        runs["status_fresh"].append(timed_run([*cli, "status"], bench_env(workdir / f"fresh-{index}")).total)
        runs["status_steady"].append(timed_run([*cli, "status"], bench_env(steady_home)).total)
        runs["complete"].append(timed_run(cli, complete_env).total)
    med = {k: median(v) for k, v in runs.items()}
    log(f"  mli-drill --help: {med['help'] * 1000:.0f} ms, {ratio(med['help'], med['bare']):.2f}x bare typer --help (target <= 1.2x)")
    bare = "bare typer app --help"
    figures = [
        Figure("start-up: bare typer --help (baseline)", med["bare"], "s", note=f"median of {repeats}; typer defaults (rich help)"),
        _timing("start-up: mli-drill --help", med["help"], bare, med["bare"], 1.2),
        Figure("start-up: mli-drill --help vs plain-help typer app", med["help"], "s", "bare typer, rich_markup_mode=None",
               med["bare_plain"], ratio(med["help"], med["bare_plain"]), note="stricter baseline, information only"),
        _timing("start-up: shell completion of every card id (suspend <Tab>)", med["complete"], bare, med["bare"], 1.2),
        _timing("start-up: mli-drill status (fresh home: creates the db)", med["status_fresh"], bare, med["bare"], 2.0),
        _timing("start-up: mli-drill status (second run, bundled decks)", med["status_steady"], bare, med["bare"], 2.0),
        Figure("start-up: bare typer app running a command with one option", med["bare_run"], "s", bare, med["bare"],
               ratio(med["bare_run"], med["bare"]), note="typer's own cost before a command body runs (imports pydantic); information only"),
    ]
    return figures


def _timing(name: str, value: float, baseline_name: str, baseline: float, limit: float) -> Figure:
    r = ratio(value, baseline)
    return Figure(name, value, "s", baseline_name, baseline, r, f"<= {limit:g}x", None if r is None else r <= limit)


def imported_modules(statement: str) -> list[tuple[str, int, int]]:
    """(module, self us, cumulative us) for every module ``python -X importtime -c statement`` imports."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True,
                            env=bench_env(None), cwd=REPO_ROOT, check=True)
    modules = []
    for line in result.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            modules.append((match.group(4), int(match.group(1)), int(match.group(2))))
    return modules


def import_check() -> Figure:
    """Heavy libraries imported by ``import mli_drill.cli.app`` (they must wait for the command that needs them)."""
    modules = imported_modules("import mli_drill.cli.app")
    names = {name for name, _, _ in modules}
    heavy = sorted(m for m in HEAVY_MODULES if m in names)
    total_ms = sum(self_us for _, self_us, _ in modules) / 1000
    slowest = sorted(((cum, name) for name, _, cum in modules if "." not in name), reverse=True)[:5]
    note = "slowest top-level imports: " + ", ".join(f"{name} {cum / 1000:.0f} ms" for cum, name in slowest)
    return Figure("start-up: heavy modules imported by mli_drill.cli.app", float(len(heavy)), "modules",
                  target="none of " + "/".join(HEAVY_MODULES), ok=not heavy,
                  note=("imports " + ", ".join(heavy) + "; " if heavy else f"none; {total_ms:.0f} ms of imports in all; ") + note)
