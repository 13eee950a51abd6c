"""An export file as the readers see it: its bytes, its decoded text, and a place for warnings.

Decoding is done once here so that every reader gets the same treatment of byte-order marks,
UTF-16, CRLF line ends and legacy encodings.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from slrflow import limits
from slrflow.errors import InputError

#: Bytes of the file kept once it is decoded, for the checks that look at its start.
_HEAD = 64
#: Characters (or bytes of a file) split into lines at a time by :meth:`Source.iter_lines`.
_BLOCK = 1 << 20
#: Bytes of a file read before it is decoded: enough to tell its format and encoding.
_PEEK = 1 << 16
#: Characters format detection looks at.
_SNIFF = 20_000


class IngestError(InputError):
    """An export that cannot be read. The message names the file, line and field."""

    def __init__(self, file: str, line: int | None, message: str, *, field: str | None = None):
        where = f"{file}:{line}" if line else file
        what = f" (field {field})" if field else ""
        # an export's place is file:line, as editors and grep show it
        super().__init__(f"{where}{what}: {message}")
        self.file, self.row, self.line, self.field = file, line, line, field


@dataclass
class Warning_:
    """A problem that did not stop the read: where it is and what was done about it."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f" (field {self.field})" if self.field else ""
        return f"{where}{what}: {self.message}"


@dataclass
class Source:
    """One export file. ``name`` is how messages refer to it (the path as the user gave it).

    ``data`` is the file's bytes when it was given in memory; for a file on disk (``path``),
    only its first bytes, and the readers that go through it once get its lines a block at a
    time (:meth:`iter_lines`), so that a large export is never held whole. Once :attr:`text` is
    decoded, ``data`` keeps only its first bytes.
    """

    name: str
    data: bytes
    warnings: list[Warning_] = field(default_factory=list)
    encoding: str = ""
    path: Path | None = None

    @classmethod
    def from_path(cls, path: str | Path, *, name: str | None = None) -> Source:
        path = Path(path)
        display = name or str(path)
        if not path.exists():
            raise IngestError(display, None, "file not found")
        if path.is_dir():
            raise IngestError(display, None, "is a folder, not an export file")
        size = path.stat().st_size
        if size > limits.MAX_EXPORT_BYTES:
            raise IngestError(
                display,
                None,
                f"{size:,} bytes, more than the {limits.MAX_EXPORT_BYTES:,} an export may have; "
                "export the records in several smaller files",
            )
        try:
            with path.open("rb") as file:
                head = file.read(_PEEK)
        except OSError as exc:
            raise IngestError(display, None, f"cannot be read: {exc.strerror}") from exc
        return cls(display, head, path=path)

    def read_bytes(self) -> bytes:
        """The whole file's bytes (read from disk for a file; for readers that need them all)."""
        if self.path is None:
            return self.data
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise IngestError(self.name, None, f"cannot be read: {exc.strerror}") from exc

    @cached_property
    def sha256(self) -> str:
        if self.path is None:
            return hashlib.sha256(self.data).hexdigest()
        digest = hashlib.sha256()
        for block in self._blocks():
            digest.update(block)
        return digest.hexdigest()

    def warn(self, line: int | None, message: str, *, field: str | None = None) -> None:
        self.warnings.append(Warning_(self.name, line, field, message))

    @property
    def is_zip(self) -> bool:
        """XLSX workbooks are zip files."""
        return self.data[:4] == b"PK\x03\x04"

    @cached_property
    def text(self) -> str:
        """The file decoded, BOM removed, line ends as ``\\n``.

        UTF-8 and UTF-16 (with BOM, or detected by NUL bytes) are decoded as such; anything
        else that is not valid UTF-8 is read as Windows-1252 with a warning, since European
        database exports that are not UTF-8 are almost always that.
        """
        if self.path is not None and not self._is_utf16:
            # the same text the lines of a file give a block at a time (checks and warnings
            # made once, by the scan)
            return "\n".join("\n".join(lines) for lines in self._stream_blocks())
        data = self.read_bytes()
        self._check_not_blank(data)
        if self._is_utf16:
            if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
                self.encoding = "utf-16"
            else:
                # UTF-16 without a BOM: every other byte of ASCII text is NUL.
                self.encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
            text = self._decode_utf16(data)
        else:
            self._check_not_binary(data)
            try:
                text = data.decode("utf-8-sig")
                self.encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                decoded, legacy, utf8 = [], 0, False
                for raw in data.removeprefix(codecs.BOM_UTF8).split(b"\n"):
                    text, is_legacy = _decode_line(raw)
                    decoded.append(text)
                    legacy += is_legacy
                    utf8 = utf8 or not (is_legacy or raw.isascii())
                text = "\n".join(decoded)
                self._warn_legacy(line, legacy, utf8)
        text = _line_ends(text.lstrip("\ufeff"))
        # The bytes are not needed any more: keep their hash and first bytes (format sniffing
        # looks at those), not a second copy of a file that may hold 100,000 records.
        self.__dict__.setdefault("sha256", hashlib.sha256(data).hexdigest())
        self.data = data[:_HEAD]
        return text

    @property
    def head(self) -> str:
        """The first 20,000 characters of :attr:`text` (what format detection looks at)."""
        if "text" in self.__dict__ or self.path is None or self._is_utf16:
            return self.text[:_SNIFF]
        taken, size = [], 0
        for line in self.iter_lines():
            taken.append(line)
            size += len(line) + 1
            if size > _SNIFF:
                break
        return "\n".join(taken)[:_SNIFF]

    def is_blank(self) -> bool:
        """Nothing but white space and byte-order marks in the whole file."""
        if "text" in self.__dict__ or self.path is None or self._is_utf16:
            return not self.text.strip()
        return not any(line.strip() for line in self.iter_lines())

    @property
    def _is_utf16(self) -> bool:
        data = self.data
        if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
            return True
        return data[:1000].count(b"\x00") > len(data[:1000]) // 4

    def _check_not_blank(self, data: bytes) -> None:
        if not data.strip():
            raise IngestError(
                self.name,
                None,
                "file is empty (a search that found nothing: put 0 in its hits_reported)",
            )

    def _check_not_binary(self, data: bytes) -> None:
        if b"\x00" in data[:8192]:
            raise IngestError(
                self.name, None, "looks like a binary file, not a text export (NUL bytes)"
            )

    def _warn_legacy(self, line: int, legacy: int, utf8: bool) -> None:
        self.encoding = "utf-8+cp1252" if utf8 else "cp1252"
        self.warn(
            line,
            f"not valid UTF-8 ({legacy} line(s) from here on); those lines read as "
            "Windows-1252 (Latin-1). Check accented characters, or re-export as UTF-8",
        )

    def _blocks(self) -> Iterator[bytes]:
        """The file's bytes, :data:`_BLOCK` at a time."""
        try:
            with self.path.open("rb") as file:
                while block := file.read(_BLOCK):
                    yield block
        except OSError as exc:
            raise IngestError(self.name, None, f"cannot be read: {exc.strerror}") from exc

    @cached_property
    def _legacy(self) -> bool:
        """Scan a file once before its lines are read: the same checks, hash and encoding
        warning as decoding it whole. True when some lines are not UTF-8 (read as cp1252)."""
        blank, digest = True, hashlib.sha256()
        decoder = codecs.getincrementaldecoder("utf-8")()
        valid = True
        for block in self._blocks():
            digest.update(block)
            blank = blank and not block.strip()
            if valid:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    valid = False
        self._check_not_blank(b"" if blank else b"x")
        self._check_not_binary(self.data)
        self.__dict__["sha256"] = digest.hexdigest()
        if valid:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:  # cut off inside the last character
                valid = False
        if valid:
            self.encoding = "utf-8-sig" if self.data.startswith(codecs.BOM_UTF8) else "utf-8"
            return False
        first, legacy, utf8 = 0, 0, False
        for number, raw in enumerate(self._raw_lines(), 1):
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            is_legacy = _decode_line(raw)[1]
            legacy += is_legacy
            first = first or (number if is_legacy else 0)
            utf8 = utf8 or not (is_legacy or raw.isascii())
        self._warn_legacy(first, legacy, utf8)
        return True

    def _raw_lines(self) -> Iterator[bytes]:
        """The file's lines as bytes, split at ``\\n`` (the last one may be empty)."""
        carry = b""
        for block in self._blocks():
            carry += block
            if b"\n" in block:
                *lines, carry = carry.split(b"\n")
                yield from lines
        yield carry

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def iter_lines(self) -> Iterator[str]:
        """The lines of :attr:`text` one by one, as ``text.split("\\n")`` gives them, without
        holding a list of all of them (for readers that go through the file once). A file on
        disk is read and decoded a block at a time; it is never held whole."""
        if "lines" in self.__dict__:
            yield from self.lines
            return
        if self.path is not None and "text" not in self.__dict__ and not self._is_utf16:
            for lines in self._stream_blocks():
                yield from lines
            return
        text = self.text
        begin, size = 0, len(text)
        while begin + _BLOCK < size:
            end = text.rfind("\n", begin, begin + _BLOCK)
            if end < 0:
                end = text.find("\n", begin + _BLOCK)
                if end < 0:
                    break
            yield from text[begin:end].split("\n")
            begin = end + 1
        yield from text[begin:].split("\n")

    def _stream_blocks(self) -> Iterator[list[str]]:
        """The lines of the file, a block's lines at a time."""
        legacy = self._legacy
        first, carry = True, b""
        for block in self._blocks():
            carry += block
            cut = carry.rfind(b"\n")
            if cut < 0:
                continue
            # a "\r" before the "\n" cut here was a CRLF line end: it goes with the "\n"
            yield self._decode(carry[:cut], first=first, legacy=legacy, closed=True)
            first, carry = False, carry[cut + 1 :]
        yield self._decode(carry, first=first, legacy=legacy, closed=False)

    @staticmethod
    def _decode(raw: bytes, *, first: bool, legacy: bool, closed: bool) -> list[str]:
        """The lines of a piece of the file that ends at a line end (``closed``) or at its end."""
        if first:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if legacy:
            text = "\n".join(_decode_line(line)[0] for line in raw.split(b"\n"))
        else:
            text = raw.decode("utf-8")
        if first:
            text = text.lstrip("\ufeff")
        if closed and text.endswith("\r"):
            text = text[:-1]
        return _line_ends(text).split("\n")

    def _decode_utf16(self, data: bytes) -> str:
        """UTF-16 text; a cut-off last byte or a broken pair of bytes is read as U+FFFD with a
        warning naming the line, not a trace."""
        try:
            return data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            text = data.decode(self.encoding, errors="replace")
            line = data[: exc.start].decode(self.encoding, errors="replace").count("\n") + 1
            self.warn(
                line,
                f"not valid {self.encoding.upper()} from here on ({exc.reason}); unreadable "
                "bytes shown as \ufffd. The file may be cut off or damaged: export it again",
            )
            return text


def _decode_line(raw: bytes) -> tuple[str, bool]:
    """A line of a file that is not all UTF-8: its text, and whether it was read as cp1252.

    Line by line, so that a UTF-8 export joined with a Latin-1 one keeps its UTF-8 lines
    intact; only the lines that are not UTF-8 are read as cp1252.
    """
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), True


def _line_ends(text: str) -> str:
    """CRLF and old Mac CR line ends as ``\\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            text = text.replace("\r", "\n")
    return text
