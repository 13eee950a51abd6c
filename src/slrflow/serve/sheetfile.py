"""A person's CSV file (decision file, resolution file) changed one row at a time, safely.

Every change is made under a lock (a lock on the file's folder, so two processes and two
threads alike wait for each other), on the file as it is on disk at that moment (read again
first, so a hand edit made meanwhile is kept), and written atomically: a temporary file beside
it, flushed to disk, then renamed over the old one. A crash or a killed server leaves either the
old file or the new one, never half of one; the temporary file name starts with a dot, so the
workflow never takes it for a sheet.

Rows are addressed by a key (the reference a decision row names, or reference and stage for a
resolution); a second answer for the same key replaces the row, so a file never holds two
different answers of one person for one reference. Columns are found by name, any case; other
columns and rows are kept as they are.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import os
import re
import threading
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from slrflow.screening import ScreeningError
from slrflow.tables import neutralise

#: A person's file larger than this is refused rather than read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024

_THREAD_LOCK = threading.Lock()


def canonical(column: str) -> str:
    """A column name as the workflow matches it: lower case, spaces and dashes as ``_``."""
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


@dataclass(frozen=True)
class Signature:
    """What a file looked like when last read: change time, size and content hash."""

    mtime_ns: int
    size: int
    sha256: str


@contextmanager
def folder_lock(folder: Path):
    """Hold an exclusive lock on ``folder`` (flock on the directory: no lock file left behind)."""
    folder.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCK:
        fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path``: temporary file, flush, fsync, rename, fsync the folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SheetFile:
    """One CSV file a person owns, read and changed row by row (see the module docstring).

    ``columns`` are the columns a new file gets, in order; ``key`` turns a row (a dict of
    canonical column names) into the key it answers for, or None for a row that names nothing
    known (kept, never replaced).
    """

    def __init__(
        self,
        path: Path,
        *,
        columns: tuple[str, ...],
        key: Callable[[dict[str, str]], Hashable | None],
    ) -> None:
        self.path = Path(path)
        self.columns = columns
        self.key = key
        self.header: list[str] = list(columns)
        self.rows: list[list[str]] = []
        self.signature: Signature | None = None
        self._read_lock = threading.Lock()
        self._answers: tuple[Signature | None, dict] | None = None
        self._undo_lock = threading.Lock()
        #: (key, row written, row it replaced) of every answer written through :meth:`answer`
        self._written: list[tuple[Hashable, dict[str, str], dict[str, str] | None]] = []

    # -- reading --------------------------------------------------------------------------
    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def _load(self) -> None:
        """Read the file as it is now (an absent file is an empty one)."""
        if not self.path.exists():
            self.header, self.rows, self.signature = list(self.columns), [], None
            return
        st = self.path.stat()
        if st.st_size > MAX_FILE_BYTES:
            raise ScreeningError(
                [f"{self.path}: {st.st_size} bytes, more than the {MAX_FILE_BYTES} a decision "
                 "file may hold; split it into batches (<reviewer>-<batch>.csv)"]
            )  # fmt: skip
        data = self.path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScreeningError(
                [f"{self.path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"]
            ) from exc
        table = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
        self.header = [c.strip() for c in table[0]] if table else list(self.columns)
        self.rows = [row + [""] * (len(self.header) - len(row)) for row in table[1:]]
        self.signature = Signature(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())

    def changed(self) -> bool:
        """Whether the file on disk differs from what was last read or written (quick stat
        first; the content hash decides when the time or size moved)."""
        now = self._stat()
        if now is None or self.signature is None:
            return (now is None) != (self.signature is None)
        if now == (self.signature.mtime_ns, self.signature.size):
            return False
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return True
        return hashlib.sha256(data).hexdigest() != self.signature.sha256

    def refresh(self) -> bool:
        """Read the file again when it changed on disk; True when it did."""
        with self._read_lock:
            if self.signature is not None and not self.changed():
                return False
            before = self.signature
            self._load()
            return before != self.signature

    def records(self) -> list[dict[str, str]]:
        """Every row as a dict of canonical column name -> cell."""
        names = [canonical(c) for c in self.header]
        return [dict(zip(names, row, strict=False)) for row in self.rows]

    def answers(self) -> dict[Hashable, dict[str, str]]:
        """key -> the row answering for it (the last such row); worked out once per version
        of the file."""
        cached = self._answers
        if cached is not None and cached[0] == self.signature:
            return cached[1]
        out = {}
        for row in self.records():
            k = self.key(row)
            if k is not None:
                out[k] = row
        self._answers = (self.signature, out)
        return out

    # -- changing -------------------------------------------------------------------------
    def _position(self, name: str) -> int:
        names = [canonical(c) for c in self.header]
        if name not in names:
            self.header.append(name)
            for row in self.rows:
                row.append("")
            return len(self.header) - 1
        return names.index(name)

    def _text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue()

    def put(
        self, key: Hashable, values: dict[str, str] | None, *, expect: dict[str, str] | None = None
    ) -> dict[str, str] | None:
        """Set the row answering for ``key`` to ``values`` (None: remove it); returns the row
        it replaced. With ``expect``, refuse (ValueError) unless the row now on disk still
        holds those values, so an undo never removes a row a person has since edited."""
        with folder_lock(self.path.parent):
            self._load()
            try:
                previous = self._change(key, values, expect)
                atomic_write(self.path, self._text())
            finally:
                self._load()  # what is on disk now, written or not
            return previous

    def _change(self, key, values, expect) -> dict[str, str] | None:
        """Change the rows read (see :meth:`put`); returns the row replaced."""
        names = [canonical(c) for c in self.header]
        found = [
            i for i, row in enumerate(self.rows)
            if self.key(dict(zip(names, row, strict=False))) == key
        ]  # fmt: skip
        previous = dict(zip(names, self.rows[found[-1]], strict=False)) if found else None
        if expect is not None and not _same(previous, expect):
            raise ValueError(
                f"{self.path}: the row for this reference was changed outside the page "
                "since; nothing was undone"
            )
        if values is None:
            for i in reversed(found):
                del self.rows[i]
            return previous
        row_values = {canonical(k): v for k, v in values.items()}
        for name in row_values:
            self._position(name)
        cells = list(self.rows[found[-1]]) if found else [""] * len(self.header)
        for name, value in row_values.items():
            cells[self._position(name)] = neutralise(value)
        if found:
            self.rows[found[-1]] = cells
            # earlier rows for the same key would contradict the new answer
            for i in reversed(found[:-1]):
                del self.rows[i]
        else:
            self.rows.append(cells)
        return previous

    def answer(self, key: Hashable, values: dict[str, str]) -> None:
        """:meth:`put` a person's answer, remembered so that :meth:`take_back` can undo it."""
        previous = self.put(key, values)
        with self._undo_lock:
            self._written.append((key, values, previous))

    def take_back(self) -> Hashable | None:
        """Undo the last :meth:`answer` (the row it replaced comes back); returns its key, or
        None when there is nothing to undo. Refused (ValueError) when the row was edited since."""
        with self._undo_lock:
            if not self._written:
                return None
            key, values, previous = self._written.pop()
        try:
            self.put(key, previous, expect=values)
        except ValueError:
            with self._undo_lock:
                self._written.append((key, values, previous))
            raise
        return key

    @property
    def can_take_back(self) -> bool:
        return bool(self._written)


def _same(row: dict[str, str] | None, expect: dict[str, str]) -> bool:
    if row is None:
        return False
    return all(row.get(canonical(k), "") == neutralise(v) for k, v in expect.items())
