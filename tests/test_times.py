from datetime import UTC, date, datetime, timedelta, timezone

from command_center.base.times import age_minutes, as_utc, format_day, format_local, format_wib


def test_utc_is_shown_in_wib_with_the_zone_named() -> None:
    moment = datetime(2026, 10, 6, 21, 56, 46, tzinfo=UTC)
    assert format_wib(moment) == "7 Okt 2026 04.56 WIB"
    assert format_wib(moment, "en") == "7 Oct 2026 04:56 WIB"


def test_naive_times_are_taken_as_stored_utc() -> None:
    assert as_utc(datetime(2026, 1, 1, 0, 0)) == datetime(2026, 1, 1, tzinfo=UTC)
    wita = timezone(timedelta(hours=8))
    assert as_utc(datetime(2026, 1, 1, 8, 0, tzinfo=wita)) == datetime(2026, 1, 1, tzinfo=UTC)


def test_missing_time_shows_a_dash() -> None:
    assert format_wib(None) == "-"


def test_age_in_minutes() -> None:
    now = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    assert age_minutes(datetime(2026, 1, 1, 0, 30, tzinfo=UTC), now) == 30


def test_an_areas_own_zone_is_named() -> None:
    moment = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert format_local(moment, "WITA") == "2 Des 2026 07.00 WITA"
    assert format_local(moment, "WIT", "en") == "2 Dec 2026 08:00 WIT"


def test_a_day_is_written_as_people_write_it() -> None:
    assert format_day(date(2026, 12, 19)) == "19 Des 2026"
    assert format_day(date(2026, 12, 9), "en") == "9 Dec 2026"
    assert format_day(date(2026, 8, 5), year=False) == "5 Agu"
