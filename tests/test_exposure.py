import numpy as np
import pandas as pd

from command_center.services.exposure import (
    affected_kecamatan,
    allen2012_mmi,
    haversine_km,
    mmi_roman,
)


def test_allen_2012_values() -> None:
    # M6.0 at 10 km hypocentral distance: 2.085 + 1.428*6 - 1.402*ln(sqrt(100 + Rm^2))
    rm = -0.209 + 2.042 * np.exp(1.0)
    expected = 2.085 + 1.428 * 6 - 1.402 * np.log(np.sqrt(100 + rm**2))
    assert np.isclose(allen2012_mmi(6.0, np.array([10.0]))[0], expected)
    # beyond 50 km the extra term applies
    far = allen2012_mmi(6.0, np.array([100.0]))[0]
    base = 2.085 + 1.428 * 6 - 1.402 * np.log(np.sqrt(100**2 + rm**2))
    assert np.isclose(far, base + 0.078 * np.log(2))


def test_intensity_falls_with_distance_and_grows_with_magnitude() -> None:
    near, mid, far = allen2012_mmi(6.0, np.array([5.0, 50.0, 300.0]))
    assert near > mid > far
    assert allen2012_mmi(7.0, np.array([50.0]))[0] > allen2012_mmi(6.0, np.array([50.0]))[0]


def test_haversine_one_degree_of_latitude() -> None:
    assert np.isclose(
        haversine_km(0.0, 100.0, np.array([1.0]), np.array([100.0]))[0], 111.19, atol=0.1
    )


def test_affected_list_is_thresholded_and_sorted() -> None:
    points = pd.DataFrame(
        {
            "kode_kec": ["a", "b", "c"],
            "kecamatan": ["A", "B", "C"],
            "kabupaten": ["K"] * 3,
            "provinsi": ["P"] * 3,
            "lat": [0.0, 0.3, 3.0],
            "lon": [100.0, 100.0, 100.0],
        }
    )
    hit = affected_kecamatan(points, magnitude=6.0, depth_km=10, lat=0.0, lon=100.0, min_mmi=5.0)
    assert list(hit["kode_kec"]) == ["a", "b"]
    assert hit["mmi"].is_monotonic_decreasing


def test_cianjur_2022_scenario_reaches_mmi_vi_near_the_epicentre(geography) -> None:
    hit = affected_kecamatan(geography.points, 5.6, 10.0, -6.84, 107.05)
    top = hit.iloc[0]
    assert top["kode_kec"].startswith("32.0")
    assert mmi_roman(top["mmi"]) in {"VI", "VII"}
    assert "32.03.11" in set(hit["kode_kec"])  # Cugenang
    assert len(geography.points) == 7285
