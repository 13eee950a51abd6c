"""National evidence ratings mapped to one common scale (config ``toolkit: rating_scale:``).

Every database rates interventions in its own words (NJi's "effectief volgens goede
aanwijzingen", Gruene Liste's "Stufe 2", EIF's "level 3" ...). The config names a common scale
(``levels``: level -> label) and, per rating ``scheme``, the ``databases`` it belongs to and
``ratings``: the original wording -> common level. The toolkit keeps the original rating beside
the common level. Wording is compared without case, accents or extra spaces; an empty rating is
level 0 ("not rated") unless the scheme says otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from slrflow.errors import SlrflowError

_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


class RatingError(SlrflowError):
    """A rating scale that is malformed, or a rating it cannot place."""


def normalise(text: str) -> str:
    """``"Stufe 2 – Effektivität"`` -> ``"stufe 2 - effektivitaet"`` (for comparing wordings).

    German umlauts become their two-letter spelling, so "Grüne" and "Gruene" compare equal.
    """
    text = str(text).translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Scheme:
    """One national rating scheme: its databases and original rating -> common level."""

    name: str
    databases: tuple[str, ...]
    ratings: dict[str, int] = field(default_factory=dict)  # normalised wording -> level
    wordings: dict[str, str] = field(default_factory=dict)  # normalised -> as configured


@dataclass(frozen=True)
class Rated:
    """A rating placed on the common scale."""

    scheme: str
    level: int
    label: str


@dataclass(frozen=True)
class RatingScale:
    levels: dict[int, str]
    schemes: tuple[Scheme, ...]

    def scheme_for(self, database: str, scheme: str = "") -> Scheme | None:
        """The scheme named ``scheme``, else the one listing ``database``, else None."""
        if scheme:
            return next((s for s in self.schemes if normalise(s.name) == normalise(scheme)), None)
        key = normalise(database)
        return next((s for s in self.schemes if key in map(normalise, s.databases)), None)

    def rate(self, database: str, rating: str, *, scheme: str = "") -> Rated:
        """Place ``rating`` (as ``database`` gives it) on the common scale.

        Raises :class:`RatingError` (saying which ratings are known) when it cannot.
        """
        found = self.scheme_for(database, scheme)
        if scheme and found is None:
            known = ", ".join(s.name for s in self.schemes)
            raise RatingError(f"unknown rating scheme {scheme!r}; the config has: {known}")
        key = normalise(rating)
        if found is not None and key in found.ratings:
            level = found.ratings[key]
            return Rated(found.name, level, self.levels[level])
        if not key:
            return Rated(found.name if found else "", 0, self.levels.get(0, "not rated"))
        if found is None:
            raise RatingError(
                f"rating {rating!r} of database {database!r}: no rating scheme in config "
                "toolkit.rating_scale.schemes lists this database; add it to a scheme's "
                "databases or fill in rating_scheme"
            )
        known = ", ".join(repr(w) for w in found.wordings.values())
        raise RatingError(
            f"rating {rating!r} is not a rating of scheme {found.name!r} (known: {known}); "
            "correct it or add it to the scheme's ratings in config"
        )

    def table(self) -> pd.DataFrame:
        """Every configured rating with its common level: the workbook's rating-scale sheet."""
        rows = [
            {
                "scheme": "(common scale)",
                "databases": "",
                "original rating": "",
                "level": level,
                "level label": label,
            }
            for level, label in sorted(self.levels.items())
        ]
        for s in self.schemes:
            for key, level in s.ratings.items():
                rows.append(
                    {
                        "scheme": s.name,
                        "databases": "; ".join(s.databases),
                        "original rating": s.wordings[key],
                        "level": level,
                        "level label": self.levels[level],
                    }
                )
        return pd.DataFrame(rows)


def from_config(
    data: dict[str, Any] | None, *, name: str = "config toolkit.rating_scale"
) -> RatingScale:
    """Build the scale from the config mapping (``levels`` and ``schemes``); check it."""
    if not isinstance(data, dict) or "levels" not in data:
        raise RatingError(f"{name}: expected a mapping with 'levels' and 'schemes'")
    try:
        levels = {int(k): str(v) for k, v in data["levels"].items()}
    except (AttributeError, ValueError) as exc:
        raise RatingError(f"{name}.levels: expected level number -> label ({exc})") from exc
    schemes = []
    for number, raw in enumerate(data.get("schemes") or [], start=1):
        where = f"{name}.schemes[{number}]"
        if not isinstance(raw, dict) or not raw.get("scheme"):
            raise RatingError(f"{where}: every scheme needs 'scheme' (its name)")
        ratings, wordings = {}, {}
        for wording, level in (raw.get("ratings") or {}).items():
            if int(level) not in levels:
                raise RatingError(
                    f"{where} ({raw['scheme']}): rating {wording!r} maps to level {level}, "
                    f"which is not one of the levels {sorted(levels)}"
                )
            ratings[normalise(wording)] = int(level)
            wordings[normalise(wording)] = str(wording)
        schemes.append(
            Scheme(
                str(raw["scheme"]), tuple(map(str, raw.get("databases") or ())), ratings, wordings
            )
        )
    return RatingScale(levels, tuple(schemes))
