from command_center.services.felt import match_felt
from command_center.services.gazetteer import gazetteer_of, normalise


def test_names_compare_without_prefix_case_or_spaces() -> None:
    assert normalise("Kab. Lombok Tengah") == normalise("LOMBOK TENGAH") == "lomboktengah"


def test_felt_places_match_kabupaten_and_kecamatan(geography) -> None:
    reports = [
        (4, 5, "Mataram"),
        (3, 4, "Kab. Lombok Tengah"),
        (2, 3, "Kuta"),
        (2, 2, "Wamena"),
        (2, 3, "Tempat Rekaan"),
    ]
    matched = match_felt(reports, gazetteer_of(geography.points), lat=-8.77, lon=116.14)
    codes = [(m.place, m.kode_kab) for m in matched]
    assert codes == [
        ("Mataram", "52.71"),  # Kota Mataram
        ("Kab. Lombok Tengah", "52.02"),
        ("Kuta", "51.03"),  # kecamatan Kuta in Badung, the nearest "Kuta"
        ("Wamena", "95.01"),  # kecamatan Wamena, Kabupaten Jayawijaya
        ("Tempat Rekaan", None),  # unknown places stay unmatched, not guessed
    ]


def test_kab_and_kota_prefixes_pick_the_right_twin(geography) -> None:
    places = [(3, 3, "Kab. Bandung"), (3, 3, "Kota Bandung")]
    kab, kota = match_felt(places, gazetteer_of(geography.points), lat=-6.9, lon=107.6)
    assert kab.kabupaten == "Kabupaten Bandung"
    assert kota.kabupaten == "Kota Bandung"


def test_aliases_resolve_city_and_island_names_to_the_nearest_area(geography) -> None:
    gazetteer = gazetteer_of(geography.points)
    # Jakarta means the five kota administrasi; the one nearest the epicentre is taken
    assert gazetteer.resolve("Jakarta", -7.0, 106.8).kode_kab == "31.74"  # Jakarta Selatan
    assert gazetteer.resolve("Jakarta Pusat", -7.0, 106.8).kode_kab == "31.71"
    bawean = gazetteer.resolve("Bawean", -5.9, 112.6)
    assert bawean.kode_kab == "35.25" and bawean.kode_kec in ("35.25.17", "35.25.18")
    # an InaTEWS district: the kabupaten before the island it adds
    assert gazetteer.resolve("NIAS-SELATAN PULAU TANABALA", -0.9, 98.4).kode_kab == "12.14"
    assert not gazetteer.resolve("Atlantis", -7.0, 106.8).resolved


def test_unresolved_felt_places_are_kept_not_dropped(geography) -> None:
    felt = match_felt(
        [(3, 3, "Bawean"), (2, 2, "Kampung Rekaan")], gazetteer_of(geography.points), -5.9, 112.6
    )
    assert [(f.place, f.kode_kab) for f in felt] == [("Bawean", "35.25"), ("Kampung Rekaan", None)]
