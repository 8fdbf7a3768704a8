"""BMKG `Dirasakan` places ("Mataram", "Kab. Lombok Tengah", "Jakarta") as kabupaten codes,
through the gazetteer; a place it cannot resolve is kept, with no code, and shown as such."""

from __future__ import annotations

from dataclasses import dataclass

from command_center.services.gazetteer import Gazetteer


@dataclass(frozen=True)
class FeltPlace:
    place: str
    mmi_min: int
    mmi_max: int
    kode_kab: str | None
    kabupaten: str | None


def match_felt(
    reports: list[tuple[int, int, str]], gazetteer: Gazetteer, lat: float, lon: float
) -> list[FeltPlace]:
    """The kabupaten of each felt report `(mmi_min, mmi_max, place)`, nearest the epicentre
    where a name fits several."""
    matches = []
    for mmi_min, mmi_max, name in reports:
        place = gazetteer.resolve(name, lat, lon)
        matches.append(FeltPlace(name, mmi_min, mmi_max, place.kode_kab, place.kabupaten))
    return matches
