from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from command_center.base.settings import BUNDLED_KECAMATAN, DATA_DIR, Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATABASE_URL",
        "CC_DATABASE_URL",
        "CC_LANGUAGE",
        "CC_TILE_URL",
        "CC_BOUNDARIES_PATH",
    ):
        monkeypatch.delenv(name, raising=False)


def test_default_store_is_a_sqlite_file_under_data() -> None:
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{DATA_DIR / 'command_center.db'}"
    assert settings.is_sqlite
    assert settings.language == "id"
    assert settings.timezone == "Asia/Jakarta"


def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1/cc")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://u:p@127.0.0.1/cc"
    assert not settings.is_sqlite


def test_prefixed_env_vars_set_other_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC_LANGUAGE", "en")
    monkeypatch.setenv("CC_TILE_URL", "")
    settings = load_settings()
    assert settings.language == "en"
    assert settings.tile_url == ""


def test_the_import_limits_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "CC_MAX_SHARED_STRINGS": "5000",
        "CC_MAX_SHARED_STRINGS_MB": "3",
        "CC_IMPORT_PARSE_MB": "600",
        "CC_IMPORT_PARSE_S": "30",
    }.items():
        monkeypatch.setenv(name, value)
    limits = load_settings().import_limits
    assert (limits.max_shared_strings, limits.max_shared_strings_bytes) == (5000, 3_000_000)
    assert (limits.parse_memory_bytes, limits.parse_seconds) == (600_000_000, 30.0)


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.language = "en"  # type: ignore[misc]


def test_secrets_file_is_read_and_env_wins_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('language = "en"\ntile_url = "http://tiles.local/{z}/{x}/{y}.png"\n')

    class FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=secrets)

    assert FromFile().tile_url == "http://tiles.local/{z}/{x}/{y}.png"
    monkeypatch.setenv("CC_LANGUAGE", "id")
    assert FromFile().language == "id"


def test_boundaries_path_setting_wins(tmp_path: Path) -> None:
    layer = tmp_path / "kec.gpkg"
    assert load_settings(boundaries_path=layer).kecamatan_path == layer


def test_downloaded_layer_is_used_when_no_shared_copy(tmp_path: Path) -> None:
    download_dir = tmp_path / "boundaries"
    download_dir.mkdir()
    (download_dir / "kecamatan.gpkg").write_bytes(b"")
    settings = load_settings(shared_data_dir=tmp_path / "nowhere", download_dir=download_dir)
    assert settings.kecamatan_path == download_dir / "kecamatan.gpkg"


def test_webhook_hosts_are_comma_separated_names_as_a_url_gives_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().webhook_allowed_hosts == ()  # none: webhooks are admins' to set
    monkeypatch.setenv("CC_WEBHOOK_ALLOWED_HOSTS", " BPBD.Cianjurkab.go.id., 10.20.30.40,,[::1]")
    hosts = ("bpbd.cianjurkab.go.id", "10.20.30.40", "::1")
    assert load_settings().webhook_allowed_hosts == hosts
    monkeypatch.delenv("CC_WEBHOOK_ALLOWED_HOSTS")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('webhook_allowed_hosts = ["bpbd.lan"]\n')

    class FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=secrets)

    assert FromFile().webhook_allowed_hosts == ("bpbd.lan",)


def test_sign_in_waits_come_from_the_environment_and_must_be_positive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CC_SIGN_IN_PER_USER", "3")
    monkeypatch.setenv("CC_SIGN_IN_WAIT_S", "0.5")
    monkeypatch.setenv("CC_SIGN_IN_USER_MAX_WAIT_S", "30")
    limits = load_settings().sign_in_limits
    assert (limits.per_user, limits.wait_s, limits.user_max_wait_s) == (3, 0.5, 30)
    assert (limits.per_client, limits.client_max_wait_s, limits.window_h) == (20, 900, 24)
    monkeypatch.setenv("CC_SIGN_IN_WAIT_S", "0")
    with pytest.raises(ValidationError, match="sign_in_wait_s"):
        load_settings()


def test_the_shipped_layer_is_used_when_there_is_no_other(tmp_path: Path) -> None:
    settings = load_settings(shared_data_dir=tmp_path / "nowhere", download_dir=tmp_path / "none")
    assert settings.kecamatan_path == BUNDLED_KECAMATAN
    assert settings.kecamatan_path.exists()  # it ships with the code
