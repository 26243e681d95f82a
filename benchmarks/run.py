"""Run every mli-drill benchmark and print each figure with its baseline, ratio and target.

    python benchmarks/run.py [--quick] [--json FILE] [--only startup,scale,...]

Sections: startup (1), scale (2, 3 and 4 share one synthetic collection:
scale, latency, size), quality (5), instances (6). ``--quick`` uses a smaller
collection and fewer repeats (about two minutes); the full run takes a few
minutes more. Nothing touches the network; every temporary directory is
removed at the end, also on error or Ctrl-C. Progress goes to standard error,
the table to standard output. Exit status 0 even when a target is missed (the
table says which); 2 when a benchmark itself failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` and ``mli_drill`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import instances, latency, quality, scale, size, startup  # noqa: E402
from benchmarks.common import BENCH_NOW, REPO_ROOT, CommandFailed, Figure, log  # noqa: E402
from benchmarks.synthetic import build  # noqa: E402

SECTIONS = ("startup", "scale", "latency", "size", "quality", "instances")


@dataclass(frozen=True)
class Settings:
    startup_repeats: int
    cards: int
    reviews: int
    scale_repeats: int
    answers: int
    instance_count: int
    instance_seconds: float


FULL = Settings(startup_repeats=21, cards=10_000, reviews=1_000_000, scale_repeats=11, answers=200, instance_count=1000, instance_seconds=1.0)
QUICK = Settings(startup_repeats=5, cards=5_000, reviews=200_000, scale_repeats=3, answers=200, instance_count=200, instance_seconds=0.2)


def run(settings: Settings, sections: tuple[str, ...]) -> tuple[list[Figure], list[instances.Rate]]:
    figures: list[Figure] = []
    rates: list[instances.Rate] = []
    if "startup" in sections:
        log("start-up ...")
        figures += startup.measure(settings.startup_repeats)
    if {"scale", "latency", "size"} & set(sections):
        figures += collection_figures(settings, sections)
    if "quality" in sections:
        log("scheduling quality ...")
        figures += quality.measure()
    if "instances" in sections:
        log("problem instances ...")
        found, rates = instances.measure(settings.instance_count, settings.instance_seconds)
        figures += found
    return figures, rates


def collection_figures(settings: Settings, sections: tuple[str, ...]) -> list[Figure]:
    """Figures 2-4 on one synthetic collection, built in a temporary data directory."""
    workdir = Path(tempfile.mkdtemp(prefix="mli-bench-scale-"))
    try:
        home = workdir / "home"
        log(f"building a synthetic collection: {settings.cards:,} cards, {settings.reviews:,} review-log rows ...")
        synthetic = build(home, settings.cards, settings.reviews, BENCH_NOW)
        label = f"{synthetic.cards:,} cards + {synthetic.items - synthetic.cards} families, {synthetic.reviews:,} reviews"
        log(f"  built in {synthetic.seconds:.1f} s ({synthetic.size_vacuumed / 1e6:.0f} MB)")
        figures: list[Figure] = []
        if "size" in sections:
            figures += size.measure(synthetic)
        if "scale" in sections:
            figures += scale.measure(home, synthetic.deck_path, settings.scale_repeats, label)
        if "latency" in sections:
            log("answer latency ...")
            figures += latency.measure(home, settings.answers)
        return figures
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# -- output ----------------------------------------------------------------------
def _value(figure: Figure) -> str:
    if figure.value is None:
        return "-"
    if figure.unit == "s":
        return _seconds(figure.value)
    if figure.unit == "B/row":
        return f"{figure.value:.0f} B/row"
    if figure.unit == "/s":
        return f"{figure.value:,.0f}/s"
    if figure.unit == "modules":
        return f"{figure.value:.0f}"
    return f"{figure.value:.4f}"


def _baseline(figure: Figure) -> str:
    if figure.baseline_value is None:
        return figure.baseline or "-"
    shown = Figure(figure.name, figure.baseline_value, figure.unit)
    return f"{_value(shown)} ({figure.baseline})"


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value >= 0.1 else f"{value * 1000:.2f} ms"


def _status(figure: Figure) -> str:
    if figure.ok is None:
        return "skipped" if figure.value is None else "info"
    return "ok" if figure.ok else "FAIL"


def table(figures: list[Figure]) -> str:
    """A Markdown table (reads as plain text too, and pastes into docs/performance.md)."""
    lines = ["| figure | value | baseline | ratio | target | result |", "|---|---|---|---|---|---|"]
    for f in figures:
        r = "-" if f.ratio is None else f"{f.ratio:.2f}x"
        lines.append(f"| {f.name} | {_value(f)} | {_baseline(f)} | {r} | {f.target or '-'} | {_status(f)} |")
    notes = [f"- {f.name}: {f.note}" for f in figures if f.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def rate_table(rates: list[instances.Rate]) -> str:
    lines = ["| family | easy /s | exam /s | hard /s |", "|---|---|---|---|"]
    by_family: dict[str, dict[str, float]] = {}
    for rate in rates:
        by_family.setdefault(rate.family, {})[rate.level] = rate.per_second
    for family, levels in sorted(by_family.items(), key=lambda kv: min(kv[1].values())):
        cells = [f"{levels[l]:,.0f}" + ("" if levels[l] >= 1000 else " (below 1000)") for l in ("easy", "exam", "hard")]
        lines.append(f"| {family} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> dict[str, object]:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "commit": commit,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller collection, fewer repeats (about two minutes)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--only", help=f"comma-separated sections: {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    sections = tuple(s.strip() for s in args.only.split(",")) if args.only else SECTIONS
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    settings = QUICK if args.quick else FULL
    started = time.perf_counter()
    meta = machine()
    try:
        figures, rates = run(settings, sections)
    except CommandFailed as exc:
        log(f"benchmark failed: {exc}")
        return 2
    meta["seconds"] = round(time.perf_counter() - started, 1)
    meta["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"mli-drill benchmarks ({'quick' if args.quick else 'full'}) — {meta['date']}, Python {meta['python']}, "
          f"{meta['cpus']} CPUs, load {meta['load_average']}, {meta['seconds']} s\n")
    print(table(figures))
    if rates:
        print("\nInstances per second (slowest first):\n")
        print(rate_table(rates))
    if args.json:
        payload = {"meta": meta, "settings": settings.__dict__, "quick": args.quick, "figures": [f.to_dict() for f in figures],
                   "instances": [r.__dict__ for r in rates]}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
