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
#: Characters split into lines at a time by :meth:`Source.iter_lines`.
_BLOCK = 1 << 20


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

    ``data`` is the file's bytes; once :attr:`text` is decoded, only their first bytes.
    """

    name: str
    data: bytes
    warnings: list[Warning_] = field(default_factory=list)
    encoding: str = ""

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
            data = path.read_bytes()
        except OSError as exc:
            raise IngestError(display, None, f"cannot be read: {exc.strerror}") from exc
        return cls(display, data)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

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
        data = self.data
        if not data.strip():
            raise IngestError(
                self.name,
                None,
                "file is empty (a search that found nothing: put 0 in its hits_reported)",
            )
        if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
            self.encoding = "utf-16"
            text = self._decode_utf16(data)
        elif data[:1000].count(b"\x00") > len(data[:1000]) // 4:
            # UTF-16 without a BOM: every other byte of ASCII text is NUL.
            self.encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
            text = self._decode_utf16(data)
        else:
            if b"\x00" in data[:8192]:
                raise IngestError(
                    self.name, None, "looks like a binary file, not a text export (NUL bytes)"
                )
            try:
                text = data.decode("utf-8-sig")
                self.encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                # Line by line, so that a UTF-8 export joined with a Latin-1 one keeps its
                # UTF-8 lines intact; only the lines that are not UTF-8 are read as cp1252.
                decoded, legacy, utf8 = [], 0, False
                for raw in data.removeprefix(codecs.BOM_UTF8).split(b"\n"):
                    try:
                        decoded.append(raw.decode("utf-8"))
                        utf8 = utf8 or not raw.isascii()
                    except UnicodeDecodeError:
                        decoded.append(raw.decode("cp1252", errors="replace"))
                        legacy += 1
                text = "\n".join(decoded)
                self.encoding = "utf-8+cp1252" if utf8 else "cp1252"
                self.warn(
                    line,
                    f"not valid UTF-8 ({legacy} line(s) from here on); those lines read as "
                    "Windows-1252 (Latin-1). Check accented characters, or re-export as UTF-8",
                )
        text = text.lstrip("\ufeff")
        if "\r" in text:
            text = text.replace("\r\n", "\n")
            if "\r" in text:  # old Mac line ends
                text = text.replace("\r", "\n")
        # The bytes are not needed any more: keep their hash and first bytes (format sniffing
        # looks at those), not a second copy of a file that may hold 100,000 records.
        self.sha256  # noqa: B018 (cached_property, taken before the bytes go)
        self.data = data[:_HEAD]
        return text

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

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def iter_lines(self) -> Iterator[str]:
        """The lines of :attr:`text` one by one, as ``text.split("\\n")`` gives them, without
        holding a list of all of them (for readers that go through the file once)."""
        if "lines" in self.__dict__:
            yield from self.lines
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
