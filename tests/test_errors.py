"""One error base: every error a person can fix is a SlrflowError, printed by the command without
a traceback; a fault in the code keeps its traceback."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import slrflow
from slrflow import cli
from slrflow.errors import ConfigError, InputError, ProblemsError, SlrflowError, located


def _package_modules():
    for info in pkgutil.walk_packages(slrflow.__path__, "slrflow."):
        if info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def test_every_error_class_of_the_package_derives_from_the_one_base():
    found = {}
    for module in _package_modules():
        for name, value in vars(module).items():
            if (
                not name.startswith("_")  # a private signal, turned into an error before it leaves
                and inspect.isclass(value)
                and issubclass(value, Exception)
                and value.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{name}"] = value
    # the stages' own kinds are there (the walk saw the package) ...
    assert {"slrflow.ingest.source.IngestError", "slrflow.sheets.SheetError"} <= set(found)
    assert "slrflow.prisma.CountsError" in found
    # ... and each is a SlrflowError
    assert [name for name, cls in found.items() if not issubclass(cls, SlrflowError)] == []


def test_the_message_names_file_row_and_field_when_known():
    assert str(InputError("not a date", file="resolutions.csv", row=4, field="date")) == (
        "resolutions.csv, row 4, field date: not a date"
    )
    assert str(ConfigError("unknown key", field="screenig")) == "field screenig: unknown key"
    assert str(SlrflowError("no place")) == "no place"
    assert located("x", row=0) == "row 0: x"  # row 0 is a place, not "no row"
    error = ProblemsError("a.csv", ["row 2: bad", "row 3: worse"], file="a.csv")
    assert str(error) == "a.csv: 2 problem(s)\n  - row 2: bad\n  - row 3: worse"
    assert error.problems == ["row 2: bad", "row 3: worse"] and error.file == "a.csv"


def test_the_command_prints_a_user_error_without_a_trace(tmp_path, capsys):
    counts = tmp_path / "counts.csv"
    counts.write_text("node,detail,n\ndatabase_results,,ten\n", encoding="utf-8")
    status = cli.main(["prisma", str(counts), "-o", str(tmp_path / "p.svg")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("slrflow prisma: error: ")
    assert "row 2, field n: 'ten' is not a count" in err
    assert "Traceback" not in err and not (tmp_path / "p.svg").exists()


def test_a_fault_in_the_code_keeps_its_trace(monkeypatch, tmp_path):
    from slrflow.figures import command

    def broken(path):
        raise ValueError("a bug, not the user's input")

    monkeypatch.setattr(command, "read_counts", broken)
    with pytest.raises(ValueError, match="a bug"):
        cli.main(["prisma", str(tmp_path / "c.csv"), "-o", str(tmp_path / "p.svg")])
