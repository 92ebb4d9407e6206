from pathlib import Path

import pytest

from bot.model_cache import TELEMETRY_VARIABLE
from bot.settings import PREFIX, SETTINGS, load_settings
from bot.stack import Stack, stack_env

pytestmark = pytest.mark.unit


def test_every_setting_reaches_the_services_and_urls_follow_the_ports() -> None:
    env = stack_env(load_settings({}, port=9001, rasa_port=9002, actions_port=9003, max_message_chars=77))
    assert {PREFIX + s.name for s in SETTINGS} <= set(env)
    assert env[PREFIX + "MAX_MESSAGE_CHARS"] == "77"
    assert env[PREFIX + "BOT_URL"] == "http://127.0.0.1:9001"
    assert env[PREFIX + "RASA_URL"] == "http://127.0.0.1:9002"
    assert env[PREFIX + "ACTIONS_URL"] == "http://127.0.0.1:9003/webhook"


def test_the_services_run_with_rasa_telemetry_off_unless_the_operator_turned_it_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TELEMETRY_VARIABLE, raising=False)
    assert Stack(load_settings({}), tmp_path / "model.tar.gz", tmp_path).env[TELEMETRY_VARIABLE] == "false"
    monkeypatch.setenv(TELEMETRY_VARIABLE, "true")
    assert Stack(load_settings({}), tmp_path / "model.tar.gz", tmp_path).env[TELEMETRY_VARIABLE] == "true"
