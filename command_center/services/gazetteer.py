"""Place names as BMKG and InaTEWS write them ("Kab. Lombok Tengah", "Jakarta", "Bawean",
"NIAS-SELATAN PULAU TANABALA") resolved to Kemendagri codes.

Built from the kabupaten/kota and kecamatan names of the boundary layer plus `ALIASES` for
names that are neither (a city's common name, islands, towns). Where a name fits several areas
(Kabupaten and Kota Bandung, the many "Kuta"s) the one nearest a given point wins; "Kab." or
"Kota" in the name narrows the choice first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from command_center.services.exposure import haversine_km

_PREFIX = re.compile(
    r"^(kab\.?|kabupaten|kota|kec\.?|kecamatan|pulau|p\.)\s+(administrasi\s+)?", re.IGNORECASE
)

NAME_CUTOFF = 85  # how alike (rapidfuzz ratio, 0-100) a misspelt name must be to be matched
CLEAR_LEAD = 5  # how much better than the next the best close name must be to be taken

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


@dataclass(frozen=True)
class Candidate:
    """A kecamatan a written name may mean: its code, "Name, Kabupaten", how alike (0-100)."""

    code: str
    name: str
    score: int


@dataclass(frozen=True)
class KecamatanMatch:
    """What a written kecamatan name resolved to: the code when certain, and the kecamatan
    it may mean (the one taken, or the ones to pick from)."""

    code: str | None
    candidates: list[Candidate] = field(default_factory=list)


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

    def has_kecamatan(self, code: str) -> bool:
        return bool((self.points["kode_kec"] == code).any())

    def kabupaten_named(self, name: str) -> str | None:
        """The kabupaten/kota a table names ("ACEH JAYA", "KOTA BANDUNG", "Kab. Bandung"): with
        no prefix the kabupaten is meant, as BNPB writes them; None when unknown."""
        lowered = name.strip().lower()
        rows = self.points[self.points["kab_key"] == normalise(name)]
        rows = rows[rows["is_kota"] == lowered.startswith("kota")]
        return _only(set(rows["kode_kab"]))

    def kecamatan_for(self, name: str, within: Sequence[str] = ()) -> KecamatanMatch:
        """The kecamatan `name` means, looked for in the kabupaten `within` (NN.NN codes, e.g.
        an incident's area): the one kecamatan there of that name, else the one clearly
        closest to it. A name that fits several, or none there, is not guessed: it comes back
        with the closest kecamatan (there first, then anywhere) for a person to pick."""
        key = normalise(name)
        if not key:
            return KecamatanMatch(None)
        inside = self.points[self.points["kode_kab"].isin(within)] if within else self.points
        exact = inside.loc[inside["kec_key"] == key, "kode_kec"].tolist()
        if len(exact) == 1:
            return KecamatanMatch(exact[0], self._candidates_of(exact, 100))
        close = self._close(key, inside)
        if not exact and within and close and close[0].score >= NAME_CUTOFF:
            runner_up = close[1].score if len(close) > 1 else 0
            if close[0].score - runner_up >= CLEAR_LEAD:
                return KecamatanMatch(close[0].code, close)
        if exact:
            return KecamatanMatch(None, self._candidates_of(exact, 100))
        elsewhere = self._close(key, self.points) if within else []
        return KecamatanMatch(None, close or elsewhere)

    def _close(self, key: str, rows: pd.DataFrame, limit: int = 5) -> list[Candidate]:
        """Up to `limit` kecamatan of `rows` whose names are close to `key`, best first."""
        found = process.extract(
            key, rows["kec_key"].tolist(), scorer=fuzz.ratio, limit=limit, score_cutoff=70
        )
        codes = rows["kode_kec"].tolist()
        return [self._candidate(codes[index], score) for _, score, index in found]

    def _candidates_of(self, codes: list[str], score: float) -> list[Candidate]:
        return [self._candidate(code, score) for code in codes]

    def _candidate(self, code: str, score: float) -> Candidate:
        return Candidate(code, self.area_name(code), round(score))

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
