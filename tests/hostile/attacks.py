"""Files made to exhaust time or memory, written at test time (too big, or too odd, to commit),
and a way to run a command on one within a time and memory bound."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook


def _workbook(rows: list[list[object]]) -> Workbook:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    return wb


def _rewrite_sheet(source: Path, target: Path, change) -> None:  # noqa: ANN001
    """Copy an .xlsx, passing the first worksheet's XML through ``change``."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            dst.writestr(info.filename, data)


def far_cell_xlsx(path: Path) -> Path:
    """A 5 KB workbook: a header, one record, and one cell at XFD1048576 (the last cell of
    the grid), so that its dimension is the whole grid: 17 billion cells."""
    wb = _workbook([["title", "year"], ["A study", 2020]])
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    return path


def dimension_lie_xlsx(path: Path, *, rows: int, declared: str, header: list[str]) -> Path:
    """A workbook of ``rows`` data rows whose ``<dimension>`` claims only ``declared``."""
    plain = path.with_suffix(".plain.xlsx")
    body = [[f"{h} {i}" if h != "year" else 2000 + i % 25 for h in header] for i in range(rows)]
    _workbook([header, *body]).save(plain)
    _rewrite_sheet(
        plain,
        path,
        lambda xml: re.sub(
            rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{declared}"/>'.encode(), xml
        ),
    )
    plain.unlink()
    return path


def zip_bomb_xlsx(path: Path, *, inflated: int = 64 * 2**20) -> Path:
    """A valid workbook whose sheet XML is padded with ``inflated`` bytes of white space,
    which deflate packs a thousand to one."""
    plain = io.BytesIO()
    _workbook([["title"], ["A study"]]).save(plain)
    source = path.with_suffix(".plain.xlsx")
    source.write_bytes(plain.getvalue())
    _rewrite_sheet(
        source, path, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * inflated)
    )
    source.unlink()
    return path


def wide_header_csv(path: Path, *, cells: int = 100_000) -> Path:
    """A CSV whose header has ``cells`` empty cells before the title column."""
    path.write_text("," * cells + "title\n" + "," * cells + "A study\n", "utf-8")
    return path


def nested_endnote_xml(path: Path, *, depth: int = 1_000) -> Path:
    """An EndNote XML record with an element nested ``depth`` deep."""
    path.write_text(
        "<xml><records><record><titles><title>Deep</title></titles>"
        + "<notes>" * depth + "x" + "</notes>" * depth
        + "</record></records></xml>",
        "utf-8",
    )  # fmt: skip
    return path


# The peak is VmHWM of /proc/self/status: unlike ru_maxrss, which Linux carries over from the
# process that forked this one, it starts afresh when the new program starts.
_MEASURED = (
    "import re, sys\n"
    "from slrflow.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
    "print(f'peak_kb={peak}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_bounded(args: list[str], *, seconds: float, megabytes: int) -> tuple[int, str]:
    """Run ``slrflow ARGS`` in its own process; fail past ``seconds`` or ``megabytes`` of peak
    memory. Returns the exit status and what it printed on stderr."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _MEASURED, *args],
            capture_output=True,
            text=True,
            timeout=seconds,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"slrflow {' '.join(args)} took more than {seconds} s") from exc
    peak = re.search(r"peak_kb=(\d+)", done.stderr)
    assert peak, done.stderr[-3000:]
    assert int(peak.group(1)) < megabytes * 1024, f"peak memory {int(peak.group(1)) // 1024} MB"
    return done.returncode, done.stderr


def yaml_bomb(key: str, *, levels: int = 9) -> str:
    """Nine lines of YAML anchors and aliases that stand for a billion values under ``key``."""
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join([*lines, f"{key}: *l{levels - 1}", ""])
