"""Every setting of the product, in one table.

Each is read from the environment variable ``SUPPORTBOT_<NAME>``; the default
and a one-line help text stand beside it. ``make help-settings`` prints the table
and a test checks that the README documents every row.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from bot.business_hours import BusinessCalendar, CalendarError
from bot.sla import SlaPolicy

PREFIX = "SUPPORTBOT_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("HOST", "127.0.0.1", "Interface the bot service listens on."),
    Setting("PORT", "8080", "Port of the bot service (chat page, widget, APIs, agent page)."),
    Setting("RASA_URL", "http://127.0.0.1:5005", "Base URL of the Rasa server."),
    Setting("RASA_PORT", "5005", "Port `make run` starts the Rasa server on."),
    Setting("ACTIONS_PORT", "5055", "Port `make run` starts the Rasa action server on."),
    Setting("ACTIONS_URL", "http://127.0.0.1:5055/webhook", "Action server webhook, read by endpoints.yml."),
    Setting("BOT_URL", "http://127.0.0.1:8080", "Bot service URL the custom actions call."),
    Setting("DATA_DIR", "var", "Folder for the databases and the index (relative to the project root)."),
    Setting("ARTICLES_DIR", "knowledge_base/sample_articles", "Articles `make run` imports at start."),
    Setting("EMBEDDING_MODEL", "", "sentence-transformers model name or path; empty = packaged all-MiniLM-L6-v2."),
    Setting("DEFAULT_LANGUAGE", "tr", "Reply language when a message gives no clue (tr or en)."),
    Setting("MAX_MESSAGE_CHARS", "2000", "Longer visitor messages are kept in the transcript but not searched."),
    Setting("RASA_TIMEOUT", "30", "Seconds to wait for Rasa before handing the conversation to a human."),
    Setting("ACTION_TIMEOUT", "10", "Seconds the custom actions wait for the bot service."),
    Setting("TIMEZONE", "Europe/Istanbul", "Time zone of the support team's business hours."),
    Setting("BUSINESS_HOURS", "mon-fri 09:00-18:00", "When agents work, e.g. `mon-fri 09:00-18:00, sat 10:00-14:00`."),
    Setting("HOLIDAYS", "", "Closed days as ISO dates separated by commas, e.g. `2027-01-01,2027-04-23`."),
    Setting("REPLY_HOURS", "urgent=1,high=2,normal=4,low=8", "Business hours to an agent's first reply, by priority."),
    Setting("RESOLVE_HOURS", "urgent=4,high=8,normal=24,low=40", "Business hours to solving a ticket, by priority."),
    Setting("WEBHOOK_URL", "", "Where ticket changes are POSTed as signed JSON; empty = no webhook."),
    Setting("WEBHOOK_SECRET", "", "HMAC-SHA256 key for the webhook's X-Supportbot-Signature; required with a URL."),
    Setting("SMTP_HOST", "", "SMTP server for replies to visitors who have left the chat; empty = no e-mail."),
    Setting("SMTP_PORT", "25", "Port of the SMTP server."),
    Setting("SMTP_SECURITY", "none", "none, starttls or tls (implicit TLS, usually port 465)."),
    Setting("SMTP_USERNAME", "", "SMTP login; empty = no login."),
    Setting("SMTP_PASSWORD", "", "SMTP password (read from the environment only, never logged)."),
    Setting("SMTP_FROM", "support@localhost", "From address of the e-mails to visitors."),
    Setting("REOPEN_DAYS", "7", "A handoff within this many days of solving reopens that ticket instead of a new one."),
    Setting("SESSION_HOURS", "12", "Hours an agent stays signed in without signing in again."),
    Setting(
        "REPEAT_WINDOW",
        "3",
        "Seconds after a reply in which the same visitor message again counts as a repeat, answered once.",
    ),
)


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    rasa_url: str
    rasa_port: int
    actions_port: int
    actions_url: str
    bot_url: str
    data_dir: Path
    articles_dir: Path
    embedding_model: str
    default_language: str
    max_message_chars: int
    rasa_timeout: float
    action_timeout: float
    timezone: str
    business_hours: str
    holidays: str
    reply_hours: str
    resolve_hours: str
    session_hours: float
    reopen_days: float
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_username: str
    smtp_password: str
    smtp_from: str
    webhook_url: str
    webhook_secret: str
    repeat_window: float

    @property
    def kb_dir(self) -> Path:
        return self.data_dir / "kb"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "supportbot.sqlite3"

    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar.from_settings(self.timezone, self.business_hours, self.holidays, self.reply_hours)

    def sla(self) -> SlaPolicy:
        return SlaPolicy.from_settings(self.calendar(), self.resolve_hours)


class SettingsError(ValueError):
    pass


def _convert(name: str, raw: str, kind: type) -> object:
    if kind is Path:
        path = Path(raw)
        return path if path.is_absolute() else PROJECT_ROOT / path
    try:
        return kind(raw)
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name} must be a {kind.__name__}, got {raw!r}") from exc


def load_settings(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build :class:`Settings` from the environment; keyword overrides win (used by tests)."""
    env = os.environ if env is None else env
    kinds = {f.name: f.type for f in fields(Settings)}
    types = {"int": int, "float": float, "str": str, "Path": Path}
    values: dict[str, object] = {}
    for setting in SETTINGS:
        key = setting.name.lower()
        raw = env.get(PREFIX + setting.name, setting.default)
        values[key] = _convert(setting.name, raw, types[str(kinds[key])])
    values.update(overrides)
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.default_language not in ("tr", "en"):
        raise SettingsError(f"{PREFIX}DEFAULT_LANGUAGE must be tr or en, got {settings.default_language!r}")
    if settings.smtp_security not in ("none", "starttls", "tls"):
        raise SettingsError(f"{PREFIX}SMTP_SECURITY must be none, starttls or tls, got {settings.smtp_security!r}")
    if settings.webhook_url and not settings.webhook_secret:
        raise SettingsError(f"{PREFIX}WEBHOOK_SECRET must be set when {PREFIX}WEBHOOK_URL is (it signs every delivery)")
    if settings.webhook_url and not settings.webhook_url.startswith(("http://", "https://")):
        raise SettingsError(f"{PREFIX}WEBHOOK_URL must be an http(s) URL, got {settings.webhook_url!r}")
    try:
        settings.sla()
    except CalendarError as exc:
        raise SettingsError(f"{PREFIX}TIMEZONE, BUSINESS_HOURS, HOLIDAYS, REPLY_HOURS or RESOLVE_HOURS: {exc}") from exc
    return settings


def settings_table() -> str:
    """The table as Markdown, for the README and ``make help-settings``."""
    lines = ["| variable | default | what it does |", "|---|---|---|"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default else "(empty)"
        lines.append(f"| `{PREFIX}{s.name}` | {default} | {s.help} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(settings_table())
