"""Which kecamatan an earthquake likely hits: estimated intensity (MMI) everywhere at once.

The figures are estimates, for a first area to check, never a measurement.

Distance: to an extended rupture, not the epicentre. For a shallow (crustal) event the distance
from each kecamatan to the rupture is estimated from the epicentral distance with the USGS
`ps2ff` tables (Thompson & Worden 2018, doi:10.1785/0120170174: the average rupture distance
Rrup of ruptures of that magnitude, any strike, seismogenic zone 0-20 km); when the strike is
known, from a line source of the Wells & Coppersmith (1994) subsurface length, centred on the
epicentre. For deeper events the hypocentral distance is used.

Intensity: the rupture-distance form of Allen, Wald & Worden (2012, doi:10.1007/s10950-012-9278-7)

    MMI = c0 + c1·M + c2·ln(√(Rrup² + (1 + c3·e^(M-5))²))

with c1 and c3 as published and c0 and c2 refitted on 43 intensities BMKG and Badan Geologi
published for Cianjur 2022, Palu 2018 and Lombok 2018 (`benchmarks/intensity.py` refits and
reports them): the global coefficients over-estimated Indonesian intensities 50-300 km out and
under-estimated them in the worst-hit kecamatan. Distances go to each kecamatan's
representative point, so a large kecamatan may be under-estimated at its near edge.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

# Allen et al. (2012) rupture-distance form: c1, c3 as published (Table 2)
C1, C3 = 0.913, 0.813
# refitted on Indonesian intensities (benchmarks/intensity.py); Allen's were 3.95 and -1.107
C0, C2 = 5.021, -1.529
CRUSTAL_MAX_DEPTH_KM = 30.0  # deeper: intraslab, hypocentral distance
RUPTURE_TOP_KM = 2.0  # line source: depth of its top edge
EARTH_RADIUS_KM = 6371.0


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distance in km from one point to many."""
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


@cache
def _ps2ff():
    """ps2ff's distance tables; imported here, as it pulls in SciPy (half a second at each
    start of every command and app process that never estimates an earthquake)."""
    from ps2ff.constants import DistType, MagScaling, Mechanism
    from ps2ff.interpolate import PS2FF

    return PS2FF.fromParams(
        dist_type=DistType.Rrup,
        mag_scaling=MagScaling.WC94,
        mechanism=Mechanism.A,
        AR=1.7,
        min_seis_depth=0,
        max_seis_depth=20,
    )


def rupture_length_km(magnitude: float) -> float:
    """Subsurface rupture length, Wells & Coppersmith (1994), all slip types."""
    return float(10 ** (-2.44 + 0.59 * magnitude))


def line_source_km(
    magnitude: float, lat: float, lon: float, strike_deg: float, lats: np.ndarray, lons: np.ndarray
) -> np.ndarray:
    """Distance to a rupture along `strike_deg`, centred on the epicentre (flat-earth, fine
    over a few hundred km), from a top edge `RUPTURE_TOP_KM` deep."""
    km_per_deg = np.pi * EARTH_RADIUS_KM / 180
    east = (np.asarray(lons) - lon) * km_per_deg * np.cos(np.radians(lat))
    north = (np.asarray(lats) - lat) * km_per_deg
    along = np.array([np.sin(np.radians(strike_deg)), np.cos(np.radians(strike_deg))])
    half = rupture_length_km(magnitude) / 2
    t = np.clip(east * along[0] + north * along[1], -half, half)
    horizontal = np.hypot(east - t * along[0], north - t * along[1])
    return np.sqrt(horizontal**2 + RUPTURE_TOP_KM**2)


def rupture_distance(
    magnitude: float,
    depth_km: float,
    epicentral_km: np.ndarray,
    line_source: np.ndarray | None = None,
) -> np.ndarray:
    """Rrup at each point: the line-source distance when given, ps2ff's average for a shallow
    event of unknown strike, the hypocentral distance for a deep one."""
    epicentral = np.maximum(np.asarray(epicentral_km, dtype=float), 0.1)
    if depth_km > CRUSTAL_MAX_DEPTH_KM:
        return np.sqrt(epicentral**2 + depth_km**2)
    if line_source is not None:
        return line_source
    return _ps2ff().r2r(epicentral, np.full_like(epicentral, magnitude))


def intensity(magnitude: float, rrup_km: np.ndarray) -> np.ndarray:
    """Estimated MMI at rupture distances (see the module docstring), clipped to I..XII."""
    r = np.maximum(np.asarray(rrup_km, dtype=float), 0.1)
    near = (1 + C3 * np.exp(magnitude - 5.0)) ** 2
    mmi = C0 + C1 * magnitude + C2 * np.log(np.sqrt(r**2 + near))
    return np.clip(mmi, 1.0, 12.0)


def estimate_mmi(
    magnitude: float,
    depth_km: float,
    lat: float,
    lon: float,
    lats: np.ndarray,
    lons: np.ndarray,
    strike_deg: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(epicentral distance km, estimated MMI) at every point."""
    epicentral = haversine_km(lat, lon, lats, lons)
    line = None
    if strike_deg is not None:
        line = line_source_km(magnitude, lat, lon, strike_deg, lats, lons)
    rrup = rupture_distance(magnitude, max(depth_km, 0.0), epicentral, line)
    return epicentral, intensity(magnitude, rrup)


def shaking(
    points: pd.DataFrame,
    magnitude: float,
    depth_km: float,
    lat: float,
    lon: float,
    strike_deg: float | None = None,
) -> pd.DataFrame:
    """`points` (see `Geography.points`) with the epicentral `distance_km` and estimated `mmi`
    of one earthquake at every kecamatan."""
    distance, mmi = estimate_mmi(
        magnitude,
        depth_km,
        lat,
        lon,
        points["lat"].to_numpy(),
        points["lon"].to_numpy(),
        strike_deg,
    )
    return points.assign(distance_km=distance, mmi=mmi)


def affected_kecamatan(
    points: pd.DataFrame,
    magnitude: float,
    depth_km: float,
    lat: float,
    lon: float,
    min_mmi: float = 5.0,
    strike_deg: float | None = None,
) -> pd.DataFrame:
    """Kecamatan at estimated MMI ≥ `min_mmi`, strongest first.

    Args:
        points: one row per kecamatan with `kode_kec, kecamatan, kabupaten, provinsi, lat, lon`
            (see `Geography.points`).
    """
    return strongest(shaking(points, magnitude, depth_km, lat, lon, strike_deg), min_mmi)


def strongest(shaken: pd.DataFrame, min_mmi: float) -> pd.DataFrame:
    """The rows of a `shaking` table at MMI ≥ `min_mmi`, strongest first, rounded for display."""
    hit = shaken.loc[
        shaken["mmi"] >= min_mmi,
        ["kode_kec", "kecamatan", "kabupaten", "provinsi", "distance_km", "mmi"],
    ].round({"distance_km": 1, "mmi": 1})
    return hit.sort_values(["mmi", "distance_km"], ascending=[False, True]).reset_index(drop=True)


def mmi_roman(mmi: float) -> str:
    """An MMI value as the Roman numeral BMKG uses (rounded to the nearest level)."""
    level = int(np.clip(round(mmi), 1, 12))
    return ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")[level - 1]
