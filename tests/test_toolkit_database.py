"""The Toolkit Database Interventies workbook: inventory validation, ratings, codes, matching."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from slrflow.coding.codebook import load as load_codebook
from slrflow.sheets import SheetError
from slrflow.toolkit import database
from slrflow.toolkit.ratings import RatingError, from_config, normalise

ROOT = Path(__file__).resolve().parents[1]
SCALE = {
    "levels": {
        0: "not rated",
        1: "described",
        2: "founded",
        3: "first indications",
        4: "good evidence",
    },
    "schemes": [
        {
            "scheme": "NJi",
            "databases": ["Databank Effectieve Jeugdinterventies"],
            "ratings": {"goed beschreven": 1, "goed onderbouwd": 2},
        },
        {
            "scheme": "Gruene Liste",
            "databases": ["Gruene Liste Praevention"],
            "ratings": {"Stufe 2 - Effektivitaet wahrscheinlich": 3},
        },
        {
            "scheme": "RAN",
            "databases": ["RAN Collection of Inspiring Practices"],
            "ratings": {"inspiring practice": 1},
        },
    ],
}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(ROOT / "config" / "codebook.yaml")


@pytest.fixture(scope="module")
def built(tmp_path_factory, codebook, fixtures):
    inventory = database.read_inventory(fixtures / "toolkit" / "inventory.csv")
    sheets = database.sheets(
        inventory,
        codebook,
        from_config(SCALE),
        slo_names=["Being Muslim Being British", "Radicalise"],
    )
    out = tmp_path_factory.mktemp("db") / "Toolkit Database Interventies.xlsx"
    database.write(sheets, out)
    ws = openpyxl.load_workbook(out)["interventions"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    return out, ws, header, {r["Intervention"]: r for r in rows}


def test_rows_sorted_by_country_then_name(built):
    _, _, _, rows = built
    assert list(rows) == [
        "Denkzeit-Training",
        "Rots en Water",
        "Being Muslim Being British (BMBB)",
        "Channel (Prevent)",
    ]


def test_ratings_on_the_common_scale_with_the_original_kept(built):
    _, _, _, rows = built
    rots = rows["Rots en Water"]
    assert (rots["Original rating"], rots["Rating scheme"], rots["Common level"]) == (
        "Goed onderbouwd",
        "NJi",
        2,
    )
    denkzeit = rows["Denkzeit-Training"]  # umlauts and a dash still match the config wording
    assert denkzeit["Common level"] == 3 and denkzeit["Common level label"] == "first indications"
    assert rows["Channel (Prevent)"]["Common level"] == 0  # no rating: level 0


def test_descriptions_coded_with_the_codebook(built):
    _, _, _, rows = built
    rots = rows["Rots en Water"]
    assert rots["Working elements: psychosocial"] == (
        "Emotion regulation; Self-confidence; Personal resilience"
    )
    assert rots["Working elements: social and educational development"] == "Skills development"
    assert (
        "Multi-sector" in rows["Channel (Prevent)"]["Recommended features present"]
        or (rows["Channel (Prevent)"]["Recommended features present"])
    )


def test_matches_with_the_review_flagged(built):
    _, _, _, rows = built
    bmbb = rows["Being Muslim Being British (BMBB)"]
    assert bmbb["In systematic review"] == "yes"
    assert bmbb["Matched SLO intervention"] == "Being Muslim Being British"
    assert rows["Rots en Water"]["In systematic review"] == "no"
    # A bracketed abbreviation or the part before a slash is compared on its own too.
    assert database.best_match("BMBB", ["Being Muslim Being British (BMBB) / IC-thinking"]).name
    assert not database.best_match("Exit training", ["Diamant resilience training"]).name


def test_url_is_a_link_and_formulas_are_text(built):
    _, ws, header, rows = built
    url = ws.cell(row=2, column=header.index("URL") + 1)
    assert url.hyperlink.target == url.value == "https://www.gruene-liste-praevention.de"
    text = rows["Being Muslim Being British (BMBB)"]["Description"]
    assert text.startswith("'=cmd|")
    cell = next(c for r in ws.iter_rows() for c in r if c.value == text)
    assert cell.data_type == "s"


def test_byte_identical(tmp_path, codebook, fixtures):
    inventory = database.read_inventory(fixtures / "toolkit" / "inventory.csv")
    for name in ("a.xlsx", "b.xlsx"):
        database.write(database.sheets(inventory, codebook, from_config(SCALE)), tmp_path / name)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_unknown_rating_names_row_and_field(tmp_path, codebook):
    path = tmp_path / "inventory.csv"
    path.write_text(
        "intervention,country,database,rating,description\n"
        "X,NL,Databank Effectieve Jeugdinterventies,heel goed,Something.\n"
    )
    inventory = database.read_inventory(path)
    with pytest.raises(SheetError, match=r"row 2, field rating: rating 'heel goed' is not a"):
        database.sheets(inventory, codebook, from_config(SCALE), inventory_name=str(path))


def test_inventory_validated_against_its_schema(tmp_path):
    path = tmp_path / "inventory.csv"
    path.write_text(
        "intervention,country,database,url,description\n"
        "X,Netherlands,Some database,www.example.org,Something.\n"
        "Y,NL,Some database,https://example.org,\n"
    )
    with pytest.raises(SheetError) as info:
        database.read_inventory(path)
    text = str(info.value)
    assert "row 2, field country" in text and "row 2, field url" in text
    assert "row 3: 'description' is missing" in text


def test_the_example_inventory_and_config(codebook):
    config = yaml.safe_load((ROOT / "resources" / "example" / "config.yaml").read_text())
    scale = from_config(config["toolkit"]["rating_scale"])
    inventory = database.read_inventory(ROOT / "resources" / "example" / "inventory.xlsx")
    assert len(inventory) == 44
    assert set(inventory["country"]) == {"NL", "DE", "BE", "FR", "CH", "AT", "DK", "SE", "UK"}
    frame = database.intervention_sheet(inventory, codebook, scale)
    assert len(frame) == 44 and frame["Common level"].between(0, 5).all()


def test_rating_scale_errors():
    assert normalise("  Stufe 2 – Effektivität ") == "stufe 2 - effektivitaet"
    bad = {"levels": {0: "none"}, "schemes": [{"scheme": "S", "ratings": {"top": 7}}]}
    with pytest.raises(RatingError, match="maps to level 7"):
        from_config(bad)
    with pytest.raises(RatingError, match="no rating scheme in config"):
        from_config(SCALE).rate("Unknown database", "excellent")


def test_an_empty_inventory_gives_a_workbook_with_headers(tmp_path, codebook):
    path = tmp_path / "inventory.csv"
    path.write_text("intervention,country,database,description\n")
    sheets = database.sheets(database.read_inventory(path), codebook, from_config(SCALE))
    database.write(sheets, tmp_path / "db.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "db.xlsx")["interventions"]
    assert ws.max_row == 1 and ws["A1"].value == "Intervention"
