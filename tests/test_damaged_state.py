"""Damaged or foreign state: every case ends in one clear line and exit code 2, and the file is never overwritten.

Covers a truncated or scribbled-over database, a file that is not SQLite, a
database from a newer mli-drill, the migration of an older schema (backup
first), an unwritable data directory (read-only tmpfs; we run as root, so
chmod would not stop us) and a full disk (a tiny tmpfs, filled during a
session). The CLI runs in-process through ``main()`` so the exit code and the
message are exactly what a student sees.
"""

from __future__ import annotations

import gc
import io
import re
import shlex
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from mli_drill.store.db import latest_version, migrations
from tests.conftest import basic_deck, write_deck

DAY1 = "2026-05-01T09:00:00+00:00"
DAY2 = "2026-05-02T09:00:00+00:00"
DAY3 = "2026-05-03T09:00:00+00:00"


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str, stdin: str | io.StringIO = "") -> Outcome:
    """``mli-drill ARGS`` through the real entry point (error handling included), in this process."""
    from mli_drill.cli.app import main

    old_argv, old_stdin = sys.argv, sys.stdin
    sys.argv = ["mli-drill", *args]
    sys.stdin = io.StringIO(stdin) if isinstance(stdin, str) else stdin
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv, sys.stdin = old_argv, old_stdin
        gc.collect()  # close the store's connection, as the end of a process would
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def assert_one_line_error(result: Outcome, *fragments: str) -> str:
    assert result.code == 2, (result.code, result.err, result.out[-500:])
    assert len(result.error_lines) == 1, result.err
    line = result.error_lines[0]
    assert line.startswith("error: "), line
    assert "Traceback" not in result.err and "unexpected" not in line, line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


def checkpoint(db: Path) -> None:
    """Fold the WAL into the main file, so damaging the file damages the data."""
    conn = sqlite3.connect(str(db))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def review_count(db: Path) -> int:
    conn = sqlite3.connect(str(db))
    try:
        return int(conn.execute("SELECT count(*) FROM review_log WHERE undone = 0").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def progress(home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with reviews on two days, so a daily backup exists; returns the database path."""
    write_deck(home / "decks", "dmg", basic_deck("dmg", 12))
    assert run_cli(capsys, "review", "--deck", "dmg", stdin="\n4\n" * 3).code == 0
    monkeypatch.setenv("MLI_DRILL_NOW", DAY2)
    assert run_cli(capsys, "review", "--deck", "dmg", stdin="\n4\n" * 3).code == 0
    db = home / "progress.db"
    assert review_count(db) == 6
    assert [p.name for p in (home / "backups").iterdir()] == ["progress-2026-05-02.db"]
    checkpoint(db)
    monkeypatch.setenv("MLI_DRILL_NOW", DAY3)
    return db


def truncate_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def truncate_to_header(data: bytes) -> bytes:
    return data[:100]


def scribble_pages(data: bytes) -> bytes:
    page = int.from_bytes(data[16:18], "big")
    damaged = bytearray(data)
    damaged[page : 3 * page] = bytes((i * 37 + 11) % 256 for i in range(2 * page))
    return bytes(damaged)


@pytest.mark.parametrize("damage", [truncate_half, truncate_to_header, scribble_pages])
def test_damaged_database_is_refused_untouched_and_the_restore_command_works(
    progress: Path, home: Path, capsys: pytest.CaptureFixture[str], damage
) -> None:
    damaged = damage(progress.read_bytes())
    progress.write_bytes(damaged)
    backups_before = sorted(p.name for p in (home / "backups").iterdir())
    for command in (["status"], ["review", "--deck", "dmg"]):
        line = assert_one_line_error(run_cli(capsys, *command, stdin="\n4\n"), "damaged", "left untouched", "mli-drill backup --restore")
        assert progress.read_bytes() == damaged, "the damaged file must not be written to"
        assert sorted(p.name for p in (home / "backups").iterdir()) == backups_before, "a damaged file must not become a backup"
    newest = home / "backups" / "progress-2026-05-02.db"
    command = re.search(r"`mli-drill (backup --restore [^`]+)`", line)
    assert command is not None and shlex.split(command.group(1)) == ["backup", "--restore", str(newest)]

    restored = run_cli(capsys, *shlex.split(command.group(1)))
    assert restored.code == 0, restored.err
    kept = [p for p in home.iterdir() if p.name.startswith("progress.db.replaced-")]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged, "the damaged file is kept, not deleted"
    assert run_cli(capsys, "status").code == 0
    assert review_count(progress) == 3, "the day-2 backup holds the first day's reviews"


def test_restore_without_any_backup_says_so(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = home / "progress.db"
    home.mkdir(parents=True)
    header = bytearray(b"SQLite format 3\x00" + bytes(84))
    header[16:18] = (4096).to_bytes(2, "big")
    db.write_bytes(bytes(header) + b"\xab" * 8000)
    assert_one_line_error(run_cli(capsys, "status"), "is damaged", "left untouched", "No backup was found", "move the file away")
    assert db.read_bytes()[:100] == bytes(header)


@pytest.mark.parametrize(
    "content",
    [b"my revision notes\n" * 50, bytes(range(256)) * 40, b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, b"SQLite"],
    ids=["text", "binary", "png", "short-prefix"],
)
def test_file_that_is_not_sqlite_is_refused_and_untouched(home: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    home.mkdir(parents=True)
    db = home / "progress.db"
    db.write_bytes(content)
    assert_one_line_error(run_cli(capsys, "status"), "not an SQLite database", "untouched")
    assert db.read_bytes() == content
    assert not Path(str(db) + "-wal").exists()


def test_newer_schema_is_refused_and_untouched(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home.mkdir(parents=True)
    db = home / "progress.db"
    conn = sqlite3.connect(str(db))
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.commit()
    conn.close()
    content = db.read_bytes()
    assert_one_line_error(run_cli(capsys, "review"), "newer mli-drill", "upgrade mli-drill", "untouched")
    assert db.read_bytes() == content
    assert not (home / "backups").exists()


def make_version_1_database(db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(db))
    conn.executescript(migrations()[0].sql)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO items (key, kind, deck, created_at) VALUES ('card:old-a', 'card', 'old', ?)", (DAY1,))
    conn.execute("INSERT INTO review_log (item_id, reviewed_at, rating) VALUES (1, ?, 3)", (DAY1,))
    conn.commit()
    conn.close()


def test_older_schema_is_migrated_in_place_after_a_backup(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = home / "progress.db"
    make_version_1_database(db)
    assert run_cli(capsys, "status").code == 0
    conn = sqlite3.connect(str(db))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1, "history survives the migration"
    assert conn.execute("SELECT count(*) FROM exam_papers").fetchone()[0] == 0
    conn.close()
    [backup] = (home / "backups").glob("progress-schema1-*.db")
    old = sqlite3.connect(str(backup))
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1
    assert old.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    old.close()


def test_no_migration_without_a_backup(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = home / "progress.db"
    make_version_1_database(db)
    (home / "backups").write_text("a file where the backups directory should be")
    assert_one_line_error(run_cli(capsys, "status"))
    conn = sqlite3.connect(str(db))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1, "no backup, no migration"
    conn.close()


def test_restoring_a_damaged_backup_changes_nothing(progress: Path, home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = progress.read_bytes()
    bad = tmp_path / "bad-backup.db"
    bad.write_bytes(scribble_pages(good))
    assert_one_line_error(run_cli(capsys, "backup", "--restore", str(bad)), "cannot be restored", "nothing was changed")
    assert progress.read_bytes() == good
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("hello")
    assert_one_line_error(run_cli(capsys, "backup", "--restore", str(not_sqlite)), "not an SQLite database")
    assert_one_line_error(run_cli(capsys, "backup", "--restore", str(tmp_path / "missing.db")), "no backup at")
    assert progress.read_bytes() == good
    assert not [p for p in home.iterdir() if "replaced" in p.name or "restoring" in p.name]


def test_two_restores_in_the_same_second_keep_both_replaced_files(progress: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    backup = home / "backups" / "progress-2026-05-02.db"
    assert run_cli(capsys, "backup", "--restore", str(backup)).code == 0
    assert run_cli(capsys, "backup", "--restore", str(backup)).code == 0
    kept = [p for p in home.iterdir() if p.name.startswith("progress.db.replaced-") and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 2


@pytest.mark.parametrize("target", ["directory", "device"])
def test_db_option_that_is_not_a_file(home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, target: str) -> None:
    path = tmp_path if target == "directory" else Path("/dev/null")
    if not path.exists():
        pytest.skip("no /dev/null")
    line = assert_one_line_error(run_cli(capsys, "--db", str(path), "status"))
    assert "directory" in line or "not a regular file" in line
    assert not Path("/dev/null-wal").exists()


def test_data_directory_path_is_a_file(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("MLI_DRILL_HOME", str(blocker))
    assert_one_line_error(run_cli(capsys, "status"), "cannot create the data directory", "MLI_DRILL_HOME")
    assert blocker.read_text() == "x"


def test_database_full_mid_session_without_mounting(home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same full disk, simulated with SQLite's max_page_count (works where tmpfs cannot be mounted)."""
    from mli_drill.store.db import Store

    write_deck(home / "decks", "cap", basic_deck("cap", 150))
    assert run_cli(capsys, "config", "set", "new-per-day", "200").code == 0
    original = Store.sync_items

    def sync_then_cap(self: Store, entries, now_iso: str) -> None:  # type: ignore[no-untyped-def]
        original(self, entries, now_iso)
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        self.conn.execute(f"PRAGMA max_page_count = {pages + 3}")  # room for a few answers, then "full"

    monkeypatch.setattr(Store, "sync_items", sync_then_cap)
    result = run_cli(capsys, "review", "--deck", "cap", stdin="\n4\n" * 150)
    assert_one_line_error(result, "disk is full", "free some disk space")
    db = home / "progress.db"
    stored = review_count(db)
    assert 2 <= stored < 150, stored
    assert result.out.count("Enter to reveal") == stored + 1, "every answer acknowledged on screen was stored"
    conn = sqlite3.connect(str(db))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    monkeypatch.setattr(Store, "sync_items", original)  # space freed
    again = run_cli(capsys, "review", "--deck", "cap", stdin="\n4\n" * 150)
    assert again.code == 0, again.err
    assert review_count(db) == 150


# -- file systems we control: read-only and full ---------------------------------
@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs (root only); skipped where mounting is not allowed."""
    mount_point = tmp_path / f"fs-{uuid.uuid4().hex[:8]}"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount_point
    finally:
        gc.collect()
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def remount(mount_point: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount_point)], check=True, capture_output=True)


def fill(directory: Path) -> Path:
    """Write until the file system is full."""
    filler = directory / "filler"
    handle = open(filler, "wb", buffering=0)
    try:
        while True:
            handle.write(b"\0" * 65536)
    except OSError:
        pass
    try:
        while True:
            handle.write(b"\0" * 512)
    except OSError:
        pass
    try:
        handle.close()
    except OSError:
        pass
    return filler


def test_read_only_data_directory(small_fs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    data = small_fs / "home"
    monkeypatch.setenv("MLI_DRILL_HOME", str(data))
    write_deck(data / "decks", "ro", basic_deck("ro", 4))
    assert run_cli(capsys, "review", "--deck", "ro", stdin="\n4\n" * 2).code == 0
    checkpoint(data / "progress.db")
    content = (data / "progress.db").read_bytes()
    remount(small_fs, "ro")
    try:
        for command in (["review", "--deck", "ro"], ["status"]):
            assert_one_line_error(run_cli(capsys, *command, stdin="\n4\n"), "cannot write", "writable")
        monkeypatch.setenv("MLI_DRILL_HOME", str(small_fs / "never-created"))
        assert_one_line_error(run_cli(capsys, "status"), "cannot create the data directory", "writable")
    finally:
        remount(small_fs, "rw")
    assert (data / "progress.db").read_bytes() == content


class FillDiskAfter(io.StringIO):
    """Piped input that fills the disk just before handing out line ``after`` (0-based)."""

    def __init__(self, text: str, after: int, directory: Path):
        super().__init__(text)
        self.after, self.directory, self.lines = after, directory, 0
        self.filler: Path | None = None

    def readline(self, *args) -> str:  # type: ignore[override]
        if self.lines == self.after:
            self.filler = fill(self.directory)
        self.lines += 1
        return super().readline(*args)


def test_disk_fills_up_during_a_session(small_fs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    data = small_fs / "home"
    monkeypatch.setenv("MLI_DRILL_HOME", str(data))
    write_deck(data / "decks", "full", basic_deck("full", 6))
    # answer two cards (4 lines); the disk is full when the third card's rating arrives
    stdin = FillDiskAfter("\n4\n" * 6, after=5, directory=small_fs)
    result = run_cli(capsys, "review", "--deck", "full", stdin=stdin)
    assert stdin.filler is not None, "the session ended before the disk filled"
    assert_one_line_error(result, "disk is full", "free some disk space")
    stdin.filler.unlink()
    db = data / "progress.db"
    conn = sqlite3.connect(str(db))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 2, "answers before the full disk are kept"
    conn.close()
    again = run_cli(capsys, "review", "--deck", "full", stdin="\n4\n" * 4)
    assert again.code == 0, again.err
    assert review_count(db) == 6


def test_full_disk_before_the_database_exists(small_fs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    data = small_fs / "home"
    data.mkdir()
    monkeypatch.setenv("MLI_DRILL_HOME", str(data))
    filler = fill(small_fs)
    assert_one_line_error(run_cli(capsys, "status"), "disk is full", "free some disk space")
    filler.unlink()
    assert run_cli(capsys, "status").code == 0
    conn = sqlite3.connect(str(data / "progress.db"))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_full_disk_with_an_existing_database(small_fs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    data = small_fs / "home"
    monkeypatch.setenv("MLI_DRILL_HOME", str(data))
    write_deck(data / "decks", "fx", basic_deck("fx", 4))
    assert run_cli(capsys, "review", "--deck", "fx", stdin="\n4\n" * 2).code == 0
    checkpoint(data / "progress.db")
    content = (data / "progress.db").read_bytes()
    filler = fill(small_fs)
    result = run_cli(capsys, "review", "--deck", "fx", stdin="\n4\n" * 2)
    assert_one_line_error(result, "disk is full", "free some disk space")
    filler.unlink()
    gc.collect()
    conn = sqlite3.connect(str(data / "progress.db"))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] >= 2
    conn.close()
    assert (data / "progress.db").read_bytes()[:100] == content[:100]
