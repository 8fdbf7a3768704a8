"""Estimated intensities against the intensities published for three real earthquakes.

Run: `.venv/bin/python benchmarks/intensity.py` (needs the shared kecamatan layer). Prints,
for the shipped estimate and the models it replaced, the mean error (bias), the mean absolute
error, the bias near (≤ 50 km) and far (> 50 km), and the rank agreement (Spearman rho) of the
ten most strongly shaken places of each event; then refits c0 and c2 of
`command_center.services.exposure` on all observations and with each event left out.

Observations (`intensity_observations.csv`, 43 rows, each with its source): the felt lists
BMKG published (BMKG press conferences and releases as reported by Tempo, CNN Indonesia,
Tribun, Viva, Netralnews) and the field surveys of Badan Geologi (PVMBG) for Cianjur
2022-11-21 (M5.6), Palu 2018-09-28 (M7.4) and Lombok 2018-08-05 (M7.0). A range ("V-VI") counts
as its middle. The near-field entries of BMKG's first Palu felt list (Palu and Donggala III-IV,
sent while communications with Palu were down) are left out: BMKG's own later statements
(Palu VI-VII, Donggala VIII) are used instead.

USGS ShakeMap grid values could not be read on this offline machine (no internet but the
package registries); the USGS solutions (epicentre, depth, Mw) are compared as a second set of
source parameters instead.

A place is resolved with the dashboard's own gazetteer, nearest the epicentre: a kecamatan is
compared with that kecamatan's estimate, a kabupaten/kota with the median estimate over its
kecamatan (a felt list names a kabupaten for wherever in it the shaking was reported).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from command_center.base.geography import Geography, load_geography
from command_center.base.settings import load_settings
from command_center.services import exposure
from command_center.services.gazetteer import gazetteer_of

OBSERVATIONS = Path(__file__).resolve().parent / "intensity_observations.csv"


@dataclass(frozen=True)
class Source:
    magnitude: float
    depth_km: float
    lat: float
    lon: float
    strike_deg: float | None = None


# BMKG's reviewed solutions; Palu along the Palu-Koro fault (strike ~350°, USGS finite fault)
EVENTS = {
    "cianjur2022": Source(5.6, 11.0, -6.84, 107.05),
    "palu2018": Source(7.4, 11.0, -0.18, 119.85, strike_deg=350.0),
    "lombok2018": Source(7.0, 15.0, -8.37, 116.48),
}
USGS = {
    "cianjur2022": Source(5.6, 10.0, -6.856, 107.095),
    "palu2018": Source(7.5, 20.0, -0.256, 119.846, strike_deg=350.0),
    "lombok2018": Source(6.9, 31.0, -8.287, 116.452),
}


@dataclass(frozen=True)
class Site:
    """One published intensity and the kecamatan points it stands for."""

    event: str
    place: str
    observed: float
    lats: np.ndarray
    lons: np.ndarray


Model = Callable[[Source, np.ndarray, np.ndarray], np.ndarray]  # MMI at each point


def sites(geography: Geography) -> list[Site]:
    """Every observation placed by the gazetteer (a place it cannot resolve stops the run)."""
    gazetteer, points = gazetteer_of(geography.points), geography.points
    located = []
    with OBSERVATIONS.open(newline="") as handle:
        for row in csv.DictReader(handle):
            source = EVENTS[row["event"]]
            place = gazetteer.resolve(row["place"], source.lat, source.lon)
            if not place.resolved:
                raise SystemExit(f"{row['place']}: not in the gazetteer")
            if place.kode_kec:
                chosen = points[points["kode_kec"] == place.kode_kec]
            else:
                chosen = points[points["kode_kec"].str.startswith(f"{place.kode_kab}.")]
            observed = (int(row["mmi_min"]) + int(row["mmi_max"])) / 2
            lats, lons = chosen["lat"].to_numpy(), chosen["lon"].to_numpy()
            located.append(Site(row["event"], row["place"], observed, lats, lons))
    return located


def epicentral(source: Source, site: Site) -> np.ndarray:
    return exposure.haversine_km(source.lat, source.lon, site.lats, site.lons)


def allen2012_point(source: Source, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """The previous estimate: Allen et al. (2012) hypocentral form, point source."""
    r = np.hypot(exposure.haversine_km(source.lat, source.lon, lats, lons), source.depth_km)
    rm = -0.209 + 2.042 * np.exp(source.magnitude - 5)
    mmi = 2.085 + 1.428 * source.magnitude - 1.402 * np.log(np.hypot(r, rm))
    return np.clip(mmi + np.where(r > 50, 0.078 * np.log(r / 50), 0.0), 1, 12)


def rupture_km(source: Source, lats: np.ndarray, lons: np.ndarray, strike: bool) -> np.ndarray:
    line = None
    if strike and source.strike_deg is not None:
        line = exposure.line_source_km(
            source.magnitude, source.lat, source.lon, source.strike_deg, lats, lons
        )
    epi = exposure.haversine_km(source.lat, source.lon, lats, lons)
    return exposure.rupture_distance(source.magnitude, source.depth_km, epi, line)


def allen2012_rupture(source: Source, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Allen et al. (2012) rupture-distance form, published coefficients, ps2ff Rrup."""
    return rupture_form(3.95, -1.107)(replace(source, strike_deg=None), lats, lons)


def rupture_form(c0: float, c2: float) -> Model:
    """The shipped equation with other c0, c2."""

    def model(source: Source, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        r = rupture_km(source, lats, lons, strike=True)
        near = (1 + exposure.C3 * np.exp(source.magnitude - 5)) ** 2
        mmi = c0 + exposure.C1 * source.magnitude + c2 * np.log(np.sqrt(r**2 + near))
        return np.clip(mmi, 1, 12)

    return model


def shipped(source: Source, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """What the dashboard estimates (`services.exposure.estimate_mmi`)."""
    args = (source.magnitude, source.depth_km, source.lat, source.lon, lats, lons)
    return exposure.estimate_mmi(*args, strike_deg=source.strike_deg)[1]


def estimate(model: Model, source: Source, site: Site) -> float:
    return float(np.median(model(source, site.lats, site.lons)))


def spearman(a: list[float], b: list[float]) -> float:
    ranks = [np.argsort(np.argsort(values)) for values in (a, b)]
    return float(np.corrcoef(*ranks)[0, 1])


def evaluate(
    located: list[Site], model: Model, events: dict[str, Source] = EVENTS
) -> dict[str, float]:
    """Bias, MAE, near and far bias and the mean top-10 rank agreement of one model."""
    errors = np.array([estimate(model, events[s.event], s) - s.observed for s in located])
    near = np.array([np.median(epicentral(events[s.event], s)) <= 50 for s in located])
    ranks = []
    for event, source in events.items():
        top = sorted((s for s in located if s.event == event), key=lambda s: -s.observed)[:10]
        if len(top) < 3:
            continue
        ranks.append(spearman([s.observed for s in top], [estimate(model, source, s) for s in top]))
    return {
        "bias": float(errors.mean()),
        "mae": float(np.abs(errors).mean()),
        "near_bias": float(errors[near].mean()),
        "far_bias": float(errors[~near].mean()),
        "top10": float(np.mean(ranks)) if ranks else float("nan"),
    }


def fit(located: list[Site]) -> tuple[float, float]:
    """c0 and c2 by least squares (c1, c3 held at Allen et al.'s values)."""

    def residuals(params: np.ndarray) -> list[float]:
        model = rupture_form(*params)
        return [estimate(model, EVENTS[s.event], s) - s.observed for s in located]

    c0, c2 = least_squares(residuals, [3.95, -1.107]).x
    return float(c0), float(c2)


def row(name: str, scores: dict[str, float]) -> str:
    return (
        f"| {name} | {scores['bias']:+.2f} | {scores['mae']:.2f} | {scores['near_bias']:+.2f} "
        f"| {scores['far_bias']:+.2f} | {scores['top10']:.2f} |"
    )


def main() -> None:
    settings = load_settings()
    located = sites(load_geography(settings.kecamatan_path, settings.cache_dir))
    print(f"{len(located)} published intensities, {len(EVENTS)} events")
    print()
    print("| model | bias | MAE | bias ≤ 50 km | bias > 50 km | top-10 rank rho |")
    print("|---|---|---|---|---|---|")
    print(row("Allen 2012 hypocentral, point source (before)", evaluate(located, allen2012_point)))
    print(row("Allen 2012 Rrup, published coefficients", evaluate(located, allen2012_rupture)))
    print(row("shipped (refitted; Palu along its strike)", evaluate(located, shipped)))
    no_strike = {k: replace(v, strike_deg=None) for k, v in EVENTS.items()}
    print(row("shipped, strike unknown (ps2ff only)", evaluate(located, shipped, no_strike)))
    print(row("shipped, USGS source parameters", evaluate(located, shipped, USGS)))
    print()
    c0, c2 = fit(located)
    print(f"refit on all: C0 = {c0:.3f}, C2 = {c2:.3f} (shipped {exposure.C0}, {exposure.C2})")
    for held_out in EVENTS:
        k0, k2 = fit([s for s in located if s.event != held_out])
        scores = evaluate([s for s in located if s.event == held_out], rupture_form(k0, k2))
        print(f"fitted without {held_out}: its bias {scores['bias']:+.2f}, MAE {scores['mae']:.2f}")


if __name__ == "__main__":
    main()
