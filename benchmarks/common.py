"""What every benchmark shares: the Figure record, statistics and timed subprocess runs.

Timings of whole commands are wall-clock times of a fresh process, because
that is what a student waits for. Commands and their baseline are run
*interleaved* (A B A B ...) and summarised by medians, so a burst of load on
a shared machine hits both sides instead of skewing one.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
BARE_APP = BENCH_DIR / "bare_typer_app.py"
# A fixed "now" (MLI_DRILL_NOW) so due dates, the daily backup and the new-card limit are reproducible.
BENCH_NOW = "2026-11-26T09:00:00+00:00"
# What the review command prints right before it waits for the first keystroke: the first item is on screen.
PROMPT_MARKER = "› ".encode("utf-8")


@dataclass
class Figure:
    """One benchmark figure: a value, the baseline it is compared with, and the target."""

    name: str
    value: float | None
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: no target (information only) or skipped
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or not baseline:
        return None
    return value / baseline


def cli_command() -> list[str]:
    """The installed ``mli-drill`` script beside this interpreter, else ``python -m mli_drill``."""
    script = Path(sys.executable).parent / "mli-drill"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "mli_drill"]


def bare_help_command() -> list[str]:
    return [sys.executable, str(BARE_APP), "--help"]


def bench_env(home: Path | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a timed run: a private data directory, a fixed clock, unbuffered UTF-8 output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLI_DRILL_")}
    # Measure the tool as installed: pip writes bytecode at install time, so a
    # user never pays for compiling the sources. Where bytecode writing is
    # disabled (an editable install under PYTHONDONTWRITEBYTECODE) every run
    # would compile mli_drill afresh while the baseline's typer is compiled;
    # the warm-up run writes the bytecode instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({"MLI_DRILL_NOW": BENCH_NOW, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "COLUMNS": "100"})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    if home is not None:
        env["MLI_DRILL_HOME"] = str(home)
    env.update(extra or {})
    return env


class CommandFailed(RuntimeError):
    """A benchmarked command exited with an error: its timing would be meaningless."""


@dataclass
class RunTime:
    total: float  # seconds from spawn to exit
    marker: float | None = None  # seconds from spawn to the first marker on stdout; None if it never came


def timed_run(cmd: Sequence[str], env: dict[str, str], marker: bytes | None = None, check: bool = True) -> RunTime:
    """Run ``cmd`` with empty standard input; time to exit and, optionally, to ``marker`` on stdout."""
    errors = tempfile.TemporaryFile()  # a file, not a pipe: a chatty stderr cannot block the child
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, env=env, cwd=REPO_ROOT)
    assert proc.stdout is not None
    seen_at: float | None = None
    output = bytearray()
    fd = proc.stdout.fileno()
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        output.extend(chunk)
        if marker is not None and seen_at is None and marker in output:
            seen_at = time.perf_counter() - start
    code = proc.wait()
    total = time.perf_counter() - start
    proc.stdout.close()
    errors.seek(0)
    stderr = errors.read()
    errors.close()
    if check and code != 0:
        raise CommandFailed(f"{' '.join(cmd)} exited with {code}: {stderr.decode(errors='replace')[-2000:]}")
    return RunTime(total, seen_at)


def command_exists(subcommand: str, env: dict[str, str]) -> bool:
    """Whether ``mli-drill <subcommand> --help`` works (e.g. ``stats`` is being added by someone else)."""
    result = subprocess.run([*cli_command(), subcommand, "--help"], env=env, capture_output=True, cwd=REPO_ROOT)
    return result.returncode == 0


def log(message: str) -> None:
    """Progress on standard error, so --json output or a redirected table stays clean."""
    print(message, file=sys.stderr, flush=True)
