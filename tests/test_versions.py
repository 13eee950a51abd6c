"""Frozen versions: what a snapshot holds, that it is never rewritten, that edits are caught."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from slrflow import tables, versions
from slrflow.cli import main


def _results(folder, *, included="reports_included"):
    """A minimal results folder: two references, one of them with a duplicate record."""
    tables.write_csv(
        pd.DataFrame(
            {
                "reference_id": ["s-1", "s-2"],
                "record_ids": ["s-1; t-1", "s-2"],
                "title": ["=Risky title", "Other"],
                "year": ["2020", "2021"],
                "doi": ["10.1/a", ""],
            }
        ),
        folder / "dedup" / "references.csv",
    )
    tables.write_csv(
        pd.DataFrame(
            {
                "record_id": ["s-1", "t-1", "s-2"],
                "reference_id": ["s-1", "s-1", "s-2"],
                "box": [included, "duplicates_removed", "records_excluded"],
                "reasons": ["", "", "C1; C2"],
            }
        ),
        folder / "screening" / "boxes.csv",
    )
    tables.write_csv(
        pd.DataFrame({"node": ["total_reports"], "detail": [""], "n": ["1"]}),
        folder / "screening" / "counts.csv",
    )
    tables.write_csv(
        pd.DataFrame({"source": ["reviewer"], "file": ["screening/title_abstract/a.csv"]}),
        folder / "screening" / "log.csv",
    )
    (folder / "toolkit").mkdir()
    (folder / "toolkit" / "slo_interventions.csv").write_text("Intervention id\nx\n")
    (folder / "toolkit" / "notes.txt").write_text("not part of a toolkit")


def test_freeze_stores_the_snapshot_with_its_manifest(tmp_path):
    _results(tmp_path / "results")
    snapshot = versions.freeze(tmp_path, "2025-wodc", date="2025-06-30")
    folder = tmp_path / "versions" / "2025-wodc"
    assert snapshot.path == folder
    assert sorted(snapshot.files) == [
        "counts.csv",
        "log.csv",
        "references.csv",
        "toolkit/slo_interventions.csv",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["name"] == "2025-wodc" and manifest["frozen_on"] == "2025-06-30"
    refs = tables.read_csv(folder / "references.csv")
    assert refs[["reference_id", "box", "reasons"]].values.tolist() == [
        ["s-1", "reports_included", ""],
        ["s-2", "records_excluded", "C1; C2"],
    ]
    # untrusted text stays neutralised on disk
    assert "'=Risky title" in (folder / "references.csv").read_text()
    # the counts copied byte for byte from the screening stage (no figures built)
    assert (folder / "counts.csv").read_bytes() == (
        tmp_path / "results" / "screening" / "counts.csv"
    ).read_bytes()
    versions.verify(snapshot)


def test_freeze_is_byte_stable_and_never_rewrites(tmp_path):
    _results(tmp_path / "results")
    versions.freeze(tmp_path, "v1", date="2025-01-01")
    versions.freeze(tmp_path, "v2", date="2025-01-01")
    one, two = tmp_path / "versions" / "v1", tmp_path / "versions" / "v2"
    for path in one.rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            assert path.read_bytes() == (two / path.relative_to(one)).read_bytes()
    before = {p: p.read_bytes() for p in one.rglob("*") if p.is_file()}
    with pytest.raises(versions.VersionError, match="never rewritten"):
        versions.freeze(tmp_path, "v1")
    assert {p: p.read_bytes() for p in one.rglob("*") if p.is_file()} == before


def test_freeze_command_refuses_an_existing_name_with_a_message(tmp_path, capsys):
    _results(tmp_path / "results")
    assert main(["freeze", str(tmp_path), "--as", "v1", "--date", "2025-01-01"]) == 0
    assert main(["freeze", str(tmp_path), "--as", "v1"]) == 2
    assert "exists; a published version is never rewritten" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["", "../up", "a/b", "-x", "with space", "x" * 65])
def test_bad_version_names_are_refused(tmp_path, name):
    _results(tmp_path / "results")
    with pytest.raises(versions.VersionError, match="version name"):
        versions.freeze(tmp_path, name)
    assert not (tmp_path / "versions").exists() or not any((tmp_path / "versions").iterdir())


def test_freeze_without_results_says_to_run_first(tmp_path):
    with pytest.raises(versions.VersionError, match="run the workflow on the review first"):
        versions.freeze(tmp_path, "v1")


def test_an_edited_snapshot_is_named_file_by_file(tmp_path):
    _results(tmp_path / "results")
    snapshot = versions.freeze(tmp_path, "v1", date="2025-01-01")
    (snapshot.path / "counts.csv").write_text("node,detail,n\ntotal_reports,,9\n")
    (snapshot.path / "log.csv").unlink()
    with pytest.raises(versions.VersionError) as error:
        versions.verify(versions.load(snapshot.path))
    message = str(error.value)
    assert "counts.csv: changed since it was frozen" in message
    assert "log.csv: missing" in message


def test_a_manifest_naming_a_file_outside_the_snapshot_is_refused(tmp_path):
    folder = tmp_path / "versions" / "v1"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"files": {"../../secret": "0" * 64}}))
    with pytest.raises(versions.VersionError, match="outside the snapshot"):
        versions.load(folder)


def test_the_latest_version_is_compared_unless_one_is_named(tmp_path):
    _results(tmp_path / "results")
    versions.freeze(tmp_path, "b-later", date="2025-06-01")
    versions.freeze(tmp_path, "a-earlier", date="2024-06-01")
    assert versions.chosen(tmp_path).name == "b-later"
    assert versions.chosen(tmp_path, "a-earlier").name == "a-earlier"
    with pytest.raises(versions.VersionError, match="versions: a-earlier, b-later"):
        versions.chosen(tmp_path, "c")
    assert versions.chosen(tmp_path / "elsewhere") is None


def test_a_toolkit_gets_a_changes_sheet_against_the_frozen_version(tmp_path):
    from slrflow.toolkit.command import changes_sheet
    from slrflow.toolkit.workbook import Sheet

    _results(tmp_path / "results")
    (tmp_path / "results" / "toolkit" / "slo_interventions.csv").write_text(
        "Intervention,Intervention id,Country\nA,a,NL\nB,b,BE\n"
    )
    snapshot = versions.freeze(tmp_path, "v1", date="2025-01-01")
    now = pd.DataFrame(
        {"Intervention": ["A", "C"], "Intervention id": ["a", "c"], "Country": ["DE", "NL"]}
    )
    sheets = [Sheet("interventions", now)]
    assert changes_sheet(sheets, None, twin="x", key=["Intervention id"], csv="x.csv") == sheets
    got = changes_sheet(
        sheets, str(snapshot.path), twin="slo_interventions.csv", key=["Intervention id"],
        csv="slo_changes.csv",
    )  # fmt: skip
    assert [s.name for s in got] == ["interventions", "changes"]
    assert got[1].csv == "slo_changes.csv"
    assert got[1].frame.values.tolist() == [
        ["v1", "a", "changed", "Country", "NL", "DE"],
        ["v1", "c", "added", "", "", ""],
        ["v1", "b", "removed", "", "", ""],
    ]
