"""The web chat in headless Chromium: a conversation with the bundled webchat-demo package.

The app runs in a real ASGI server (daphne, in a subprocess on the test databases) because the
page talks over a WebSocket; the browser is Debian's Chromium driven by Playwright.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from bots.models import Conversation, Message, Role
from bots.services import package_sync_all

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env() -> dict[str, str]:
    """The environment that points a child process at the test databases."""
    # Plain HTTP on loopback, like runserver: no redirect to HTTPS in services mode.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gbproject.settings", "DJANGO_HTTPS": "0"}
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        env["GB_SQLITE_PATH"] = str(default["NAME"])
    else:
        url = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = url._replace(path=f"/{default['NAME']}").geturl()
    if "channels" in settings.DATABASES:
        env["GB_CHANNELS_SQLITE_PATH"] = str(settings.DATABASES["channels"]["NAME"])
    return env


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"daphne exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"daphne did not answer {url} within 60 s:\n{log.read_text()[-4000:]}")


@pytest.fixture
def live_chat(tmp_path: Path) -> Iterator[str]:
    """The bundled packages registered, and the ASGI app served on a free port; yields its URL."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(apt-get update && apt-get install -y chromium; .ci/run does this)."
        )
    package_sync_all()
    port = _free_port()
    log = tmp_path / "daphne.log"
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    command.append("gbproject.asgi:application")
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=_server_env(), stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(f"{base}/static/bots/chat.js", process, log)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_visitor_orders_a_drink_through_the_web_chat(live_chat: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{live_chat}/chat/webchat-demo/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Web chat demo")
            expect(page.locator("#chat")).to_have_attribute("data-connected", "true")
            log = page.get_by_role("log")
            expect(log).to_contain_text("Say hello to order a drink.")

            box = page.get_by_label("Your message")
            box.fill("hello")
            box.press("Enter")
            expect(log.locator(".msg-user")).to_have_text(["hello"])
            expect(log.locator(".msg-queued")).to_have_count(0)  # answered: no longer shown as queued
            expect(log.locator(".msg-bot").last).to_have_text("Welcome to the café. What would you like?")
            menu = page.get_by_role("group", name="Choose one")
            expect(menu.get_by_role("button")).to_have_text(["Coffee", "Tea", "Juice"])

            menu.get_by_role("button", name="Tea").click()
            expect(log.locator(".msg-user")).to_have_text(["hello", "Tea"])
            asked = "One Tea coming up. What name should I call out?"
            expect(log.locator(".msg-bot").last).to_have_text(asked)
            expect(menu).to_be_hidden()
            expect(box).to_have_attribute("placeholder", "Type your answer (name)")

            box.fill("4 2")
            page.get_by_role("button", name="Send").click()
            expect(log.locator(".msg-kind-hint")).to_have_count(1)

            box.fill("Ana   Lima")
            box.press("Enter")
            expect(log.locator(".msg-bot").last).to_have_text("Thank you, Ana Lima. Your Tea is on its way.")
            chips = page.get_by_role("group", name="Suggestions")
            expect(chips.get_by_role("button")).to_have_text(["Thanks!", "How long will it take?"])

            page.reload()  # the session keeps the conversation: the history is rendered again
            expect(page.locator("#chat")).to_have_attribute("data-connected", "true")
            sent = ["hello", "Tea", "4 2", "Ana   Lima"]
            expect(page.get_by_role("log").locator(".msg-user")).to_have_text(sent)
            expect(page.get_by_role("group", name="Suggestions").get_by_role("button")).to_have_count(2)
        finally:
            browser.close()

    conversation = Conversation.objects.get(bot__name="webchat-demo")
    assert conversation.channel == "web"
    bot_lines = list(
        Message.objects.filter(conversation=conversation, role=Role.BOT).values_list("source", flat=True)
    )
    # Each reply records the start.bas line that said it (the hint comes from the typed HEAR).
    assert [source.get("line") for source in bot_lines] == [2, 4, 5, 6]
