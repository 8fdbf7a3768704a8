"""Place names as BMKG and InaTEWS write them ("Kab. Lombok Tengah", "Jakarta", "Bawean",
"NIAS-SELATAN PULAU TANABALA") resolved to Kemendagri codes.

Built from the kabupaten/kota and kecamatan names of the boundary layer plus `ALIASES` for
names that are neither (a city's common name, islands, towns). Where a name fits several areas
(Kabupaten and Kota Bandung, the many "Kuta"s) the one nearest a given point wins; "Kab." or
"Kota" in the name narrows the choice first.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from command_center.services.exposure import haversine_km

_PREFIX = re.compile(
    r"^(kab\.?|kabupaten|kota|kec\.?|kecamatan|pulau|p\.)\s+(administrasi\s+)?", re.IGNORECASE
)

NAME_CUTOFF = 0.85  # how alike a misspelt kecamatan name must be to be matched (and shown)

# name → the kabupaten (NN.NN) or kecamatan (NN.NN.NN) codes it means; extend as names turn up
ALIASES: dict[str, tuple[str, ...]] = {
    "jakarta": ("31.71", "31.72", "31.73", "31.74", "31.75"),
    "dki jakarta": ("31.71", "31.72", "31.73", "31.74", "31.75"),
    "bawean": ("35.25.17", "35.25.18"),  # Sangkapura and Tambak, Gresik
    "kepulauan seribu": ("31.01",),
    "sengkang": ("73.13.06",),  # Tempe, Wajo
    "soroako": ("73.24.02",),  # Nuha, Luwu Timur
    "sorowako": ("73.24.02",),
    "toraja": ("73.18", "73.26"),
    "nias": ("12.04", "12.14", "12.24", "12.25", "12.78"),
    "nias selatan": ("12.14",),
    "mentawai": ("13.09",),
    "kepulauan mentawai": ("13.09",),
    "siberut": ("13.09",),
    "tanabala": ("12.14.05", "12.14.16", "12.14.29", "12.14.30"),  # Pulau-Pulau Batu
    "pulau batu": ("12.14.05", "12.14.16", "12.14.29", "12.14.30"),
    "simeulue": ("11.09",),
    "ambon": ("81.71",),
    "labuan bajo": ("53.15.05",),  # Komodo, Manggarai Barat
}


@dataclass(frozen=True)
class Place:
    """A resolved name: the kabupaten it lies in and, when it named one, the kecamatan."""

    name: str
    kode_kab: str | None
    kabupaten: str | None
    kode_kec: str | None = None

    @property
    def resolved(self) -> bool:
        return self.kode_kab is not None


def normalise(name: str) -> str:
    """Compare names without case, prefixes, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", _PREFIX.sub("", name.strip()).lower())


class Gazetteer:
    """Name lookups over `Geography.points` (one row per kecamatan)."""

    def __init__(self, points: pd.DataFrame):
        self.points = points.assign(
            kode_kab=points["kode_kec"].str[:5],
            kab_key=points["kabupaten"].map(normalise),
            kec_key=points["kecamatan"].map(normalise),
            is_kota=points["kabupaten"].str.startswith("Kota"),
        )
        self.aliases = {normalise(k): codes for k, codes in ALIASES.items()}

    def resolve(self, name: str, lat: float, lon: float) -> Place:
        """The area `name` means, the nearest to (lat, lon) where several fit; unresolved
        names come back with no code (kept, never guessed)."""
        candidates, is_kecamatan = self._candidates(name)
        if candidates.empty:
            return Place(name, None, None)
        km = haversine_km(lat, lon, candidates["lat"].to_numpy(), candidates["lon"].to_numpy())
        nearest = candidates.iloc[int(np.argmin(km))]
        kecamatan = str(nearest["kode_kec"]) if is_kecamatan else None
        return Place(name, str(nearest["kode_kab"]), str(nearest["kabupaten"]), kecamatan)

    def _candidates(self, name: str) -> tuple[pd.DataFrame, bool]:
        """The kecamatan rows `name` may mean, and whether it named kecamatan (not kabupaten)."""
        frame, key, lowered = self.points, normalise(name), name.strip().lower()
        if lowered.startswith("kec"):  # "Kec. Cianjur": the kecamatan, not the kabupaten
            by_kec = frame[frame["kec_key"] == key]
            return by_kec, True
        for attempt in (key, *self._shorter(name)):
            if attempt in self.aliases:
                codes = self.aliases[attempt]
                found = frame[frame["kode_kec"].isin(codes) | frame["kode_kab"].isin(codes)]
                return found, all(code.count(".") == 2 for code in codes)
            by_kab = frame[frame["kab_key"] == attempt]
            if lowered.startswith("kab"):
                by_kab = by_kab[~by_kab["is_kota"]]
            elif lowered.startswith("kota"):
                by_kab = by_kab[by_kab["is_kota"]]
            if not by_kab.empty:
                return by_kab, False
            by_kec = frame[frame["kec_key"] == attempt]
            if not by_kec.empty:
                return by_kec, True
        return frame.iloc[0:0], False

    def has_kabupaten(self, code: str) -> bool:
        return bool((self.points["kode_kab"] == code).any())

    def kabupaten_named(self, name: str) -> str | None:
        """The kabupaten/kota a table names ("ACEH JAYA", "KOTA BANDUNG", "Kab. Bandung"): with
        no prefix the kabupaten is meant, as BNPB writes them; None when unknown."""
        lowered = name.strip().lower()
        rows = self.points[self.points["kab_key"] == normalise(name)]
        rows = rows[rows["is_kota"] == lowered.startswith("kota")]
        return _only(set(rows["kode_kab"]))

    def kecamatan_named(self, name: str, kabupaten: str | None) -> str | None:
        """The kecamatan called `name` in `kabupaten` (anywhere when None, if only one has the
        name); a misspelling is forgiven only inside a kabupaten, by a close enough name."""
        rows = self.points
        if kabupaten is not None:
            rows = rows[rows["kode_kab"] == kabupaten]
        key = normalise(name)
        exact = set(rows.loc[rows["kec_key"] == key, "kode_kec"])
        if exact or kabupaten is None:
            return _only(exact)
        close = difflib.get_close_matches(key, rows["kec_key"].tolist(), 1, NAME_CUTOFF)
        return _only(set(rows.loc[rows["kec_key"].isin(close), "kode_kec"]))

    def area_name(self, code: str) -> str:
        """ "Sampoiniet, Aceh Jaya" for a kecamatan, "Aceh Jaya" for a kabupaten."""
        column = "kode_kec" if code.count(".") == 2 else "kode_kab"
        row = self.points[self.points[column] == code].iloc[0]
        if column == "kode_kab":
            return str(row["kabupaten"])
        return f"{row['kecamatan']}, {row['kabupaten']}"

    @staticmethod
    def _shorter(name: str) -> list[str]:
        """Fallback keys for InaTEWS district names ("NIAS-SELATAN PULAU TANABALA"): the
        district before the island or area it adds, then the island alone."""
        words = re.split(r"[\s-]+", name.strip())
        return [normalise(" ".join(words[:n])) for n in range(len(words) - 1, 0, -1)] + [
            normalise(" ".join(words[n:])) for n in range(1, len(words))
        ]


def _only(codes: set[str]) -> str | None:
    return next(iter(codes)) if len(codes) == 1 else None


_BUILT: list[tuple[pd.DataFrame, Gazetteer]] = []


def gazetteer_of(points: pd.DataFrame) -> Gazetteer:
    """The gazetteer of these points, built once per boundary layer (the same object each
    session shares) rather than on every lookup."""
    for known, built in _BUILT:
        if known is points:
            return built
    built = Gazetteer(points)
    _BUILT[:] = [(points, built)]
    return built
