import numpy as np
import pandas as pd
import pytest

from benchmarks import intensity as intensity_benchmark
from command_center.services import exposure
from command_center.services.exposure import affected_kecamatan, haversine_km, mmi_roman


def test_the_equation_is_allen_2012_rupture_form_with_the_refitted_terms() -> None:
    near = (1 + exposure.C3 * np.exp(1.0)) ** 2
    expected = exposure.C0 + exposure.C1 * 6 + exposure.C2 * np.log(np.sqrt(100 + near))
    assert np.isclose(exposure.intensity(6.0, np.array([10.0]))[0], expected)
    assert (exposure.C1, exposure.C3) == (0.913, 0.813)  # Allen et al. (2012), Table 2


def test_intensity_falls_with_distance_and_grows_with_magnitude() -> None:
    near, mid, far = exposure.intensity(6.0, np.array([5.0, 50.0, 300.0]))
    assert near > mid > far
    assert (
        exposure.intensity(7.0, np.array([50.0]))[0] > exposure.intensity(6.0, np.array([50.0]))[0]
    )


def test_a_large_shallow_rupture_is_closer_than_its_epicentre() -> None:
    epicentral = np.array([5.0, 50.0, 150.0])
    large = exposure.rupture_distance(7.4, 10.0, epicentral)
    small = exposure.rupture_distance(5.0, 10.0, epicentral)
    assert (large[1:] < epicentral[1:]).all() and large[1] < small[1]
    deep = exposure.rupture_distance(7.4, 120.0, epicentral)  # intraslab: hypocentral
    assert np.allclose(deep, np.hypot(epicentral, 120.0))


def test_a_line_source_follows_the_strike() -> None:
    # M7.4: ~84 km long; a point 30 km along the strike is on it, one 30 km across is not
    assert 80 < exposure.rupture_length_km(7.4) < 90
    along = exposure.line_source_km(7.4, 0.0, 120.0, 0.0, np.array([0.27]), np.array([120.0]))
    across = exposure.line_source_km(7.4, 0.0, 120.0, 0.0, np.array([0.0]), np.array([120.27]))
    assert along[0] == pytest.approx(exposure.RUPTURE_TOP_KM, abs=0.1)
    assert across[0] == pytest.approx(30.0, abs=0.5)


def test_estimates_meet_the_published_intensities_of_three_earthquakes(geography) -> None:
    """The accuracy `benchmarks/intensity.py` reports, held: 43 intensities BMKG and Badan
    Geologi published for Cianjur 2022, Palu 2018 and Lombok 2018."""
    located = intensity_benchmark.sites(geography)
    before = intensity_benchmark.evaluate(located, intensity_benchmark.allen2012_point)
    now = intensity_benchmark.evaluate(located, intensity_benchmark.shipped)
    assert len(located) == 43
    assert before["bias"] > 0.7 and before["far_bias"] > 0.9  # the flat global model
    assert abs(now["bias"]) <= 0.3 and now["mae"] <= 0.75 and abs(now["far_bias"]) <= 0.3


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
