"""The chat widget and the agent console in a real browser (Debian's Chromium via Playwright).

Runs before test_outages.py (conftest.py orders it last), which stops services.
Set SUPPORTBOT_SCREENSHOTS=DIR to keep the screenshots (the README's come from here).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect, sync_playwright

from bot.stack import Stack
from knowledge_base.articles import load_directory
from tests.conftest import SAMPLE_ARTICLES
from tests.e2e.conftest import AGENT_EMAIL, AGENT_PASSWORD, agent_api

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TITLES = {a.id: a.title for a in load_directory(SAMPLE_ARTICLES).articles}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: run `make browser` or set CHROMIUM"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 760}, locale="tr-TR")
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("SUPPORTBOT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def ask(page: Page, text: str, replies: int = 1) -> None:
    """Type a message and wait for the bot's ``replies`` messages."""
    bot_lines = page.locator(".sb-msg.sb-bot")
    before = bot_lines.count()
    page.locator(".sb-input").fill(text)
    page.keyboard.press("Enter")
    expect(bot_lines).to_have_count(before + replies, timeout=TIMEOUT_MS)


def press(page: Page, title: str, replies: int = 1) -> None:
    """Click a quick-reply button of the last bot message and wait for the replies."""
    bot_lines = page.locator(".sb-msg.sb-bot")
    before = bot_lines.count()
    bot_lines.last.get_by_role("button", name=title).click()
    expect(bot_lines).to_have_count(before + replies, timeout=TIMEOUT_MS)


def test_visitor_chats_and_an_agent_answers_live_in_the_console(
    stack: Stack, browser: Browser, page: Page, tmp_path: Path
) -> None:
    page.goto(stack.url + "/")
    expect(page.locator(".sb-panel")).to_be_visible()
    bot_lines = page.locator(".sb-msg.sb-bot")

    ask(page, "İade süresi kaç gün?", replies=2)
    expect(bot_lines.nth(-2).locator(".sb-article-title")).to_have_text(TITLES["iade-kosullari"])
    press(page, "👍 Evet")
    expect(page.locator(".sb-choice", has_text="👎 Hayır")).to_be_disabled()  # answered: the old buttons are off
    ask(page, "How long do refunds take?", replies=2)
    expect(bot_lines.nth(-2).locator(".sb-article-title")).to_have_text(TITLES["refund-timing"])
    expect(bot_lines.last).to_contain_text("Did this help?")
    ask(page, "yarın hava nasıl olacak?", replies=2)
    press(page, "Geç")
    ask(page, "ayse@example.com")
    handoff = bot_lines.last
    number = handoff.get_attribute("data-ticket")
    assert number and f"#{number}" in handoff.inner_text()
    screenshot(page, "chat", tmp_path)

    page.reload()  # the conversation and its history survive a reload
    expect(page.locator(".sb-msg.sb-visitor")).to_have_count(6, timeout=TIMEOUT_MS)

    agent_side = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Istanbul")
    console = agent_side.new_page()  # the agent, elsewhere
    console.goto(stack.url + "/agent")
    console.locator("#email").fill(AGENT_EMAIL)
    console.locator("#password").fill(AGENT_PASSWORD)
    console.locator("#signin button").click()
    expect(console.locator("#live")).to_have_text("live", timeout=TIMEOUT_MS)
    console.locator(f'tr[data-ticket="{number}"]').click()
    transcript = console.locator(".transcript li")
    expect(transcript).to_have_count(15, timeout=TIMEOUT_MS)
    expect(console.locator(".transcript")).to_contain_text("yarın hava nasıl olacak?")
    expect(transcript.last).to_contain_text(f"#{number}")
    expect(console.locator("#detail")).to_contain_text("low_confidence")

    console.get_by_role("button", name="Claim").click()
    expect(console.locator("#detail")).to_contain_text("assignee: Deniz", timeout=TIMEOUT_MS)
    draft = "Merhaba, ben Deniz. Yarınki hava için bir uygulamaya bakmanızı öneririm."
    console.locator("#reply-text").fill(draft)
    # A colleague's note changes the ticket while the reply is being written: the pane is drawn
    # again, and the half-written reply stays where it was.
    response = agent_api(stack, "POST", f"/api/tickets/{number}/notes", json={"text": "Bir meslektaşın notu."})
    assert response.status_code == 201, response.text
    expect(console.locator(".history")).to_contain_text("Bir meslektaşın notu.", timeout=TIMEOUT_MS)
    expect(console.locator("#reply-text")).to_have_value(draft)
    console.get_by_role("button", name="Send reply").click()
    agent_line = page.locator(".sb-msg.sb-agent")
    expect(agent_line).to_contain_text("ben Deniz", timeout=10_000)  # live, in the visitor's open widget
    expect(agent_line.locator(".sb-agent-name")).to_contain_text("Deniz")
    expect(console.locator("#detail .sla")).to_contain_text("first reply met", timeout=TIMEOUT_MS)
    expect(console.locator(f'tr[data-ticket="{number}"]')).to_contain_text("resolution due in")
    page.locator(".sb-input").fill("Teşekkürler, anladım.")
    page.keyboard.press("Enter")
    expect(console.locator(".transcript li").last).to_contain_text("Teşekkürler, anladım.", timeout=10_000)
    console.locator("#note-text").fill("Hava durumu sorusu: makale gerekmez.")
    console.get_by_role("button", name="Add note").click()
    expect(console.locator(".history")).to_contain_text("Hava durumu sorusu", timeout=TIMEOUT_MS)
    screenshot(console, "agent", tmp_path)

    # The knowledge report: the 👍 given in the widget, and the weather question nothing covers.
    console.locator("#reports summary").click()
    helped = console.locator("#report-articles tr", has_text=TITLES["iade-kosullari"])
    expect(helped).to_have_count(1, timeout=TIMEOUT_MS)
    assert int(helped.locator("td").nth(3).inner_text()) >= 1
    weather = console.locator("#report-unanswered tr", has_text="yarın hava nasıl olacak?")
    expect(weather.first).to_contain_text("handed off")
    expect(weather.first.locator("td").nth(4)).to_contain_text(re.compile(r"\(0\.\d\d\)"))  # closest article, score
    expect(console.locator("#report-error")).to_have_text("")
    console.locator("#report-unanswered").scroll_into_view_if_needed()
    screenshot(console, "report", tmp_path)

    console.get_by_role("button", name="Solve").click()
    expect(page.locator(".sb-msg.sb-bot").last).to_contain_text(f"#{number}", timeout=TIMEOUT_MS)  # the bot is back
    console.context.close()


def test_a_message_sent_as_the_visitor_leaves_the_page_is_recorded_and_answered(stack: Stack, page: Page) -> None:
    """The page goes before the server reads the message: the unload beacon brings it."""
    held: list[str | bytes] = []

    def hold_visitor_frames(ws: WebSocketRoute) -> None:
        ws.connect_to_server()  # the bot's frames reach the page as usual ...
        ws.on_message(lambda message: held.append(message))  # ... and the page's never reach the bot

    page.route_web_socket(re.compile(r"/chat/ws"), hold_visitor_frames)
    page.goto(stack.url + "/")
    conversation = page.wait_for_function("localStorage.getItem('supportbot.conversation')").json_value()
    page.locator(".sb-input").fill("Kargo ücreti ne kadar?")
    page.keyboard.press("Enter")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held and "Kargo ücreti ne kadar?" in json.loads(held[0])["text"]
    page.goto("about:blank")  # the visitor leaves; the socket never carried the message

    # The same visitor in a new tab (the conversation is remembered; nothing is pending there)
    again = page.context.new_page()
    again.goto(stack.url + "/")
    assert again.evaluate("localStorage.getItem('supportbot.conversation')") == conversation
    expect(again.locator(".sb-msg.sb-visitor")).to_have_text(["Kargo ücreti ne kadar?"], timeout=TIMEOUT_MS)
    expect(again.locator(".sb-msg.sb-bot .sb-article-title").first).to_have_text(
        TITLES["kargo-ucreti"], timeout=TIMEOUT_MS
    )
