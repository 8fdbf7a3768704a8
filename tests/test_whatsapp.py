"""WhatsApp posko messages read into draft reports (pure), and pasted on the reports page."""

from datetime import UTC, datetime, timedelta

from command_center import report_store
from command_center.db import make_engine
from command_center.labels import t
from command_center.services.whatsapp import number, read_messages
from command_center.times import WIB, utcnow

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # 17:00 WIB
ISSUE_EXAMPLE = (
    "Kec. Dayeuhkolot 2/12 pkl 14.00: MD 2, LB 3, LR 15, mengungsi 1.250 jiwa (4 titik), "
    "RB 12 RS 30 RR 41, terendam 1.200 rumah. Kebutuhan: selimut 300, air bersih, "
    "makanan bayi 1,2 rb."
)


def test_the_example_message_is_read_figure_by_figure() -> None:
    (draft,) = read_messages(ISSUE_EXAMPLE, NOW)
    assert draft.kecamatan == "Dayeuhkolot"
    assert draft.report_time == datetime(2026, 12, 2, 14, 0, tzinfo=WIB)
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
    assert draft.needs == [("selimut", 300), ("air bersih", None), ("makanan bayi", 1200)]
    assert draft.counted_needs() == [
        {"item": "selimut", "qty": 300},
        {"item": "makanan bayi", "qty": 1200},
    ]
    assert draft.unread == []
    # every figure keeps where it was read
    assert [draft.message[f.start : f.end] for f in draft.figures][:4] == [
        "MD 2",
        "LB 3",
        "LR 15",
        "mengungsi 1.250",
    ]


def test_indonesian_numbers() -> None:
    assert number("1.250") == 1250 and number("1,2", "rb") == 1200
    assert number("1", "jt") == 1_000_000 and number("2,5", "ribu") == 2500 and number("15") == 15


def test_several_messages_a_clock_with_a_colon_and_what_was_not_read() -> None:
    text = (
        "[2/12 15.40] Budi Tagana: Kecamatan Baleendah 2/12 jam 15:30: meninggal 1, hilang 2, "
        "300 KK terdampak, jalan putus 2 titik, listrik padam\n"
        "Kec. Bojongsoang 1/12: H 1, mengungsi 2,5 rb"
    )
    baleendah, bojongsoang = read_messages(text, NOW)
    assert baleendah.kecamatan == "Baleendah"
    assert baleendah.report_time == datetime(2026, 12, 2, 15, 30, tzinfo=WIB)
    # "2 titik" of a road is not a shelter count: it stays among the unread, never dropped
    assert baleendah.values() == {"deaths": 1, "missing": 2, "affected_families": 300}
    assert baleendah.unread == ["jalan putus 2 titik", "listrik padam"]
    assert bojongsoang.values() == {"missing": 1, "displaced": 2500}
    assert bojongsoang.report_time == datetime(2026, 12, 1, 0, 0, tzinfo=WIB)


def test_a_day_without_a_year_is_the_latest_one_not_in_the_future() -> None:
    (late_december,) = read_messages("Kec. Cugenang 31/12: MD 1", NOW)
    assert late_december.report_time.year == 2025
    (impossible,) = read_messages("Kec. Cugenang 31/02: MD 1", NOW)
    assert impossible.report_time is None  # the operator enters the time


def test_an_operator_pastes_checks_and_saves_a_message(open_page, with_demo, database_url) -> None:
    sent = utcnow().astimezone(WIB) - timedelta(minutes=5)
    message = (
        f"Kec. Cugenang {sent.day}/{sent.month} pkl {sent:%H.%M}: MD 99, LB 50, "
        f"mengungsi 9.999 jiwa (7 titik), <b>jalan</b> putus. Kebutuhan: terpal 40, air bersih"
    )
    at = open_page("pages/reports.py")
    at.text_area(key="whatsapp_text").input(message)
    at.text_input(key="whatsapp_reporter").input("TKSK Cugenang")
    next(b for b in at.button if b.label == t("whatsapp_read")).click().run()
    marked = next(m.value for m in at.markdown if "<mark>" in m.value)
    assert "<mark>MD 99</mark>" in marked and "<mark>mengungsi 9.999</mark>" in marked
    assert "&lt;b&gt;jalan&lt;/b&gt;" in marked  # what the reporter typed is escaped
    assert at.selectbox(key="whatsapp_kecamatan_0").value == "32.03.11"  # Cugenang, recognised
    assert any("putus" in w.value for w in at.warning)  # not read, listed
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
