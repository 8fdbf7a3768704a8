from command_center.services.felt import match_felt, normalise


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
    matched = match_felt(reports, geography.points, lat=-8.77, lon=116.14)
    codes = [(m.place, m.kode_kab) for m in matched]
    assert codes == [
        ("Mataram", "52.71"),  # Kota Mataram
        ("Kab. Lombok Tengah", "52.02"),
        ("Kuta", "51.03"),  # kecamatan Kuta in Badung, the nearest "Kuta"
        ("Wamena", "95.01"),  # kecamatan Wamena, Kabupaten Jayawijaya
        ("Tempat Rekaan", None),  # unknown places stay unmatched, not guessed
    ]


def test_kab_and_kota_prefixes_pick_the_right_twin(geography) -> None:
    kab, kota = match_felt(
        [(3, 3, "Kab. Bandung"), (3, 3, "Kota Bandung")], geography.points, lat=-6.9, lon=107.6
    )
    assert kab.kabupaten == "Kabupaten Bandung"
    assert kota.kabupaten == "Kota Bandung"
