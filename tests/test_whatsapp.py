"""Field text (WhatsApp posko messages, recaps, statements) read into draft reports (pure), and
pasted on the reports page."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.base.times import WIB, utcnow
from command_center.services.gazetteer import gazetteer_of
from command_center.services.whatsapp import Need, cleaned, read_messages
from command_center.stores import reports as report_store
from tests.conftest import open_tab

NOW = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)  # 12:00 WIB
BANDUNG = ["32.04"]  # a Kab. Bandung flood incident
ISSUE_EXAMPLE = (
    "Kec. Dayeuhkolot 2/12 pkl 14.00: MD 2, LB 3, LR 15, mengungsi 1.250 jiwa (4 titik), "
    "RB 12 RS 30 RR 41, terendam 1.200 rumah. Kebutuhan: selimut 300, air bersih, "
    "makanan bayi 1,2 rb."
)


@pytest.fixture(scope="module")
def places(geography):
    return gazetteer_of(geography.points)


def read(text, places, area=BANDUNG, now=NOW):
    return read_messages(text, now, places, area)


def test_the_example_message_is_read_figure_by_figure(places) -> None:
    (draft,) = read(ISSUE_EXAMPLE, places)
    assert (draft.said, draft.area_code) == ("Dayeuhkolot", "32.04.12")
    assert draft.report_time == datetime(2026, 12, 2, 14, 0, tzinfo=WIB) and draft.has_clock
    assert draft.values() == {
        "deaths": 2,
        "injured_severe": 3,
        "injured_light": 15,
        "displaced": 1250,
        "shelters": 4,
        "houses_heavy": 12,
        "houses_moderate": 30,
        "houses_light": 41,
        "houses_flooded": 1200,
    }
    assert draft.needs == [
        Need("selimut", 300, None),
        Need("air bersih", None, None),
        Need("makanan bayi", 1200, None),
    ]
    assert draft.unread == []
    # every figure keeps where it was read
    assert [draft.message[f.start : f.end] for f in draft.figures][:4] == [
        "MD 2",
        "LB 3",
        "LR 15",
        "mengungsi 1.250 jiwa",
    ]


def test_a_message_without_kec_is_read_not_refused(places) -> None:
    # raised "zip() argument 2 is longer than argument 1" before
    (draft,) = read("Bojongsoang: 640 jiwa ngungsi, 300 rumah kerendem. LR 2.", places)
    assert draft.area_code == "32.04.08"
    assert draft.values() == {"displaced": 640, "houses_flooded": 300, "injured_light": 2}


def test_a_header_with_words_after_it_and_a_needs_line(places) -> None:
    text = (
        "Lap. Posko Kec. Cileunyi 5/12 pkl 09.00\nMD 1, LR 7\nMengungsi 2.340 jiwa\n"
        "Kebutuhan: tikar 150"
    )
    (draft,) = read(text, places)
    assert draft.area_code == "32.04.05"
    assert draft.report_time == datetime(2026, 12, 5, 9, 0, tzinfo=WIB)
    assert draft.values() == {"deaths": 1, "injured_light": 7, "displaced": 2340}
    assert draft.needs == [Need("tikar", 150, None)]


def test_several_messages_pasted_at_once_never_share_a_figure(places) -> None:
    text = (
        "[06/12 14.00] Asep TKSK: Kec. Baleendah (Kab. Bandung): pengungsi ± 1.500 jiwa di 3 "
        "titik pengungsian, MD nihil\n"
        "[06/12 15.10] Budi Tagana: Update Kec. Dayehkolot 6/12: 2 orang meninggal dunia dan "
        "3 orang luka-luka, 1,2 rb KK terdampak\n"
        "Kebutuhan mendesak: air mineral 500 dus, selimut 300 lbr, obat-obatan\n"
        "07/12/26 08.05 - Cucu PSM: Bojongsoang: terendam 120 rmh"
    )
    baleendah, dayeuhkolot, bojongsoang = read(text, places)
    assert (baleendah.area_code, baleendah.sender) == ("32.04.32", "Asep TKSK")
    assert baleendah.values() == {"displaced": 1500, "shelters": 3, "deaths": 0}
    assert baleendah.report_time == datetime(2026, 12, 6, 14, 0, tzinfo=WIB)  # as sent
    assert dayeuhkolot.area_code == "32.04.12"  # misspelt, clearly the closest in the area
    assert dayeuhkolot.values() == {
        "deaths": 2,
        "injured_unspecified": 3,
        "affected_families": 1200,
    }
    assert dayeuhkolot.needs == [
        Need("air mineral", 500, "dus"),
        Need("selimut", 300, "lbr"),
        Need("obat-obatan", None, None),
    ]
    assert (dayeuhkolot.report_time, dayeuhkolot.has_clock) == (
        datetime(2026, 12, 6, tzinfo=WIB),
        False,
    )
    assert bojongsoang.values() == {"houses_flooded": 120} and not bojongsoang.needs
    assert bojongsoang.report_time == datetime(2026, 12, 7, 8, 5, tzinfo=WIB)


def test_a_recap_is_one_draft_per_line_its_total_and_desa_lines_not_counted(places) -> None:
    text = (
        "*Rekap banjir Kab. Bandung 5/12/2026 pkl 18.00*\n"
        "1. Kec. Dayeuhkolot: 1.250 jiwa mengungsi, 400 rumah terendam\n"
        "   - Desa Citeureup 700 jiwa\n"
        "2. Kec. Baleendah: 800 jiwa mengungsi\n"
        "3. Bojongsoang: terendam 120 rmh\n"
        "Total: 2.050 jiwa mengungsi"
    )
    drafts = read(text, places)
    assert [(d.area_code, d.values()) for d in drafts] == [
        ("32.04.12", {"displaced": 1250, "houses_flooded": 400}),
        ("32.04.32", {"displaced": 800}),
        ("32.04.08", {"houses_flooded": 120}),
    ]
    assert {d.report_time for d in drafts} == {datetime(2026, 12, 5, 18, 0, tzinfo=WIB)}
    assert "Desa Citeureup 700 jiwa" in drafts[0].unread
    assert "Total: 2.050 jiwa mengungsi" in drafts[2].unread


def test_one_places_total_over_its_desa_is_its_own_and_no_count_is_read_from_a_word(places):
    text = (
        "Lapor Pak, update banjir Kec. Bojongsoang (Kab. Bandung) Sabtu 6/12/2026 jam 16.30\n"
        "- Ds. Bojongsari: 120 KK / 410 jiwa terdampak\n"
        "- Ds. Buahbatu: 80 KK\n"
        "Total terdampak kec: 200 KK / 650 jiwa\n"
        "Pengungsi 95 jiwa, rumah kerendem kira2 800an"
    )
    (draft,) = read(text, places)
    assert draft.area_code == "32.04.08"
    assert draft.report_time == datetime(2026, 12, 6, 16, 30, tzinfo=WIB)
    assert draft.values() == {"affected_families": 200, "affected_people": 650, "displaced": 95}
    assert "Ds. Buahbatu: 80 KK" in draft.unread  # a desa's figure is not the kecamatan's
    assert any("800an" in piece for piece in draft.unread)  # "kira2" is no 2, "800an" vague


def test_a_name_outside_the_area_is_asked_and_its_figures_still_read(places) -> None:
    (draft,) = read("Kec. Cibeber 5 rumah RB", places)
    assert draft.area_code is None and draft.said == "Cibeber"
    assert "32.03.03" in [c.code for c in draft.candidates]  # Cibeber, Cianjur: to pick
    assert draft.values() == {"houses_heavy": 5}


def test_several_kecamatan_with_one_set_of_figures_is_kabupaten_level(places) -> None:
    text = (
        "Banjir merendam Kecamatan Dayeuhkolot, Baleendah dan Bojongsoang. Sebanyak 1.250 "
        "jiwa mengungsi di empat titik pengungsian."
    )
    (draft,) = read(text, places)
    assert draft.area_code == "32.04" and draft.kecamatan_code is None
    assert draft.values() == {"displaced": 1250, "shelters": 4}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            "Kamis (3/12/2026) pukul 14.00 WITA",
            datetime(2026, 12, 3, 14, tzinfo=ZoneInfo("Asia/Makassar")),
        ),
        ("5 Desember 2026 jam 07:30", datetime(2026, 12, 5, 7, 30, tzinfo=WIB)),
        ("tgl 05-12-26 pkl. 16.45 WIB", datetime(2026, 12, 5, 16, 45, tzinfo=WIB)),
        ("31/12", datetime(2025, 12, 31, tzinfo=WIB)),  # the latest one not in the future
        ("hari ini pkl 08.00", datetime(2026, 12, 7, 8, tzinfo=WIB)),
        ("31/02", None),  # impossible: the operator enters it
    ],
)
def test_indonesian_dates_and_times(places, written, expected) -> None:
    (draft,) = read(f"Kec. Dayeuhkolot {written}: MD 1", places)
    assert draft.report_time == expected
    assert draft.values() == {"deaths": 1}


def test_what_is_not_a_figure_is_listed_not_guessed(places) -> None:
    text = (
        "Kec. Baleendah: meninggal 1, hilang 2, 300 KK terdampak, jalan putus 2 titik, "
        "tinggi air 1,5 m, 320 KK mengungsi, listrik padam"
    )
    (draft,) = read(text, places)
    assert draft.values() == {"deaths": 1, "missing": 2, "affected_families": 300}
    assert draft.unread == ["jalan putus 2 titik", "tinggi air 1,5 m", "320 KK mengungsi"]


PIECES = [
    *"0123456789.,:;/-()[]±\n ",
    *("Kec. ", "Dayeuhkolot", "MD ", "jiwa", "mengungsi", "rb", "Kebutuhan:", "Total", "Desa "),
    *("pkl ", "[07/12 14.05] A: ", "Diteruskan\n", "dan ", "RB", "titik", "Kab. Bandung"),
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(PIECES)).map("".join) | st.text())
def test_any_text_gives_a_list_of_drafts(places, text) -> None:
    drafts = read(text, places)
    assert isinstance(drafts, list)
    for draft in drafts:
        assert draft.message in cleaned(text)
        for figure in draft.figures:
            assert figure.value >= 0
            assert 0 <= figure.start < figure.end <= len(draft.message)


def test_an_operator_pastes_checks_and_saves_a_message(open_page, with_demo, database_url) -> None:
    sent = utcnow().astimezone(WIB) - timedelta(minutes=5)
    message = (
        f"Kec. Cugenang {sent.day}/{sent.month} pkl {sent:%H.%M}: MD 99, LB 50, "
        f"mengungsi 9.999 jiwa (7 titik), <b>jalan</b> putus 3 titik. Kebutuhan: terpal 40, "
        "air bersih"
    )
    at = open_tab(open_page("pages/reports.py"), "reports_tab", "tab_whatsapp")
    at.text_area(key="whatsapp_text").input(message)
    at.text_input(key="whatsapp_reporter").input("TKSK Cugenang")
    next(b for b in at.button if b.label == t("whatsapp_read")).click().run()
    marked = next(m.value for m in at.markdown if "<mark>" in m.value)
    assert "<mark>MD 99</mark>" in marked and "<mark>mengungsi 9.999 jiwa</mark>" in marked
    assert "&lt;b&gt;jalan&lt;/b&gt;" in marked  # what the reporter typed is escaped
    assert at.selectbox(key="whatsapp_kecamatan_0").value == "32.03.11"  # Cugenang, recognised
    assert any("putus 3 titik" in w.value for w in at.warning)  # not read, listed
    at.button(key="whatsapp_save_0").click().run()
    assert not at.error, [e.value for e in at.error]
    # 7 shelters where the last report said 24: a sharp drop, saved once confirmed
    assert any(t("confirm_save") == b.label for b in at.button)
    at.button(key="confirm_whatsapp_report").click().run()
    versions = report_store.all_versions(make_engine(database_url))
    newest = versions[versions["kecamatan_code"] == "32.03.11"].sort_values("id").iloc[-1]
    assert (newest["deaths"], newest["displaced"], newest["shelters"]) == (99, 9999, 7)
    assert "air bersih" in newest["notes"] and "WhatsApp: Kec. Cugenang" in newest["notes"]
    assert newest["needs"] == [{"item": "tenda_gulung", "qty": 40, "unit": "lembar"}]  # terpal
    assert newest["verification"] == "unverified" and newest["reporter"] == "TKSK Cugenang"
    assert newest["report_time"].astimezone(WIB).strftime("%d %H:%M") == f"{sent:%d %H:%M}"
