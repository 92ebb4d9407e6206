from pathlib import Path

import pytest

from bot.settings import PREFIX, PROJECT_ROOT, SETTINGS, SettingsError, load_settings, settings_table

pytestmark = pytest.mark.unit


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.host == "127.0.0.1"
    assert settings.port == 8080
    assert settings.data_dir == PROJECT_ROOT / "var"
    assert settings.kb_dir == PROJECT_ROOT / "var" / "kb"


def test_environment_overrides_with_one_prefix(tmp_path: Path) -> None:
    settings = load_settings({PREFIX + "PORT": "9999", PREFIX + "DATA_DIR": str(tmp_path)})
    assert settings.port == 9999
    assert settings.data_dir == tmp_path


def test_bad_values_name_the_variable() -> None:
    with pytest.raises(SettingsError, match="SUPPORTBOT_PORT must be a int, got 'abc'"):
        load_settings({PREFIX + "PORT": "abc"})
    with pytest.raises(SettingsError, match="DEFAULT_LANGUAGE must be tr or en"):
        load_settings({PREFIX + "DEFAULT_LANGUAGE": "de"})


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{PREFIX}{s.name}`" not in readme]
    assert missing == [], f"README lacks: {missing}; paste `make settings` output"


def test_table_lists_every_setting_with_its_help() -> None:
    table = settings_table()
    for setting in SETTINGS:
        assert setting.help in table
