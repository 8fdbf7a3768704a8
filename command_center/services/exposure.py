"""Which kecamatan an earthquake likely hits: estimated intensity (MMI) everywhere at once.

Intensity prediction equation: Allen, T.I., Wald, D.J. & Worden, C.B. (2012), "Intensity
attenuation for active crustal regions", Journal of Seismology 16, 409-433,
doi:10.1007/s10950-012-9278-7 — the hypocentral-distance form:

    MMI = c0 + c1·M + c2·ln(√(R² + Rm²)) [+ c4·ln(R / 50) when R > 50 km],  Rm = m1 + m2·e^(M-5)

with R the hypocentral distance in km. It is a global model for shallow crustal events and was
used by the USGS for ShakeMap/PAGER; for deep intraslab events it is a rough guide only.
Distances go to each kecamatan's representative point, so a large kecamatan close to the
epicentre may be under-estimated at its near edge.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

C0, C1, C2, C4 = 2.085, 1.428, -1.402, 0.078
M1, M2 = -0.209, 2.042
R1_KM = 50.0
EARTH_RADIUS_KM = 6371.0


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distance in km from one point to many."""
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def allen2012_mmi(magnitude: float, hypocentral_km: np.ndarray) -> np.ndarray:
    """Estimated MMI at hypocentral distances (Allen, Wald & Worden 2012), clipped to I..XII."""
    r = np.maximum(np.asarray(hypocentral_km, dtype=float), 0.1)
    rm = M1 + M2 * np.exp(magnitude - 5.0)
    mmi = C0 + C1 * magnitude + C2 * np.log(np.sqrt(r**2 + rm**2))
    mmi = mmi + np.where(r > R1_KM, C4 * np.log(r / R1_KM), 0.0)
    return np.clip(mmi, 1.0, 12.0)


def estimate_mmi(
    magnitude: float, depth_km: float, lat: float, lon: float, lats: np.ndarray, lons: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(epicentral distance km, estimated MMI) at every point."""
    epicentral = haversine_km(lat, lon, lats, lons)
    hypocentral = np.sqrt(epicentral**2 + max(depth_km, 0.0) ** 2)
    return epicentral, allen2012_mmi(magnitude, hypocentral)


def shaking(
    points: pd.DataFrame, magnitude: float, depth_km: float, lat: float, lon: float
) -> pd.DataFrame:
    """`points` (see `Geography.points`) with the epicentral `distance_km` and estimated `mmi`
    of one earthquake at every kecamatan."""
    distance, mmi = estimate_mmi(
        magnitude, depth_km, lat, lon, points["lat"].to_numpy(), points["lon"].to_numpy()
    )
    return points.assign(distance_km=distance, mmi=mmi)


def affected_kecamatan(
    points: pd.DataFrame,
    magnitude: float,
    depth_km: float,
    lat: float,
    lon: float,
    min_mmi: float = 5.0,
) -> pd.DataFrame:
    """Kecamatan at estimated MMI ≥ `min_mmi`, strongest first.

    Args:
        points: one row per kecamatan with `kode_kec, kecamatan, kabupaten, provinsi, lat, lon`
            (see `Geography.points`).
    """
    return strongest(shaking(points, magnitude, depth_km, lat, lon), min_mmi)


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
