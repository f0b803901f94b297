"""GraphiQL in a real browser (Debian's Chromium, headless, driven by Playwright): the page renders from the app's
own assets with every other host blocked, and a subscription typed into it receives its first answer and then
a live event pushed by a workshop message."""

from __future__ import annotations

import json
import shutil
from urllib.parse import urlparse

from playwright.async_api import Route, async_playwright
from sqlmodel.ext.asyncio.session import AsyncSession

from app.settings import Settings
from tests.realtime.conftest import StartServer, owner_with_booking
from tests.realtime.harness import UNREAD_SUBSCRIPTION, produce_messages

# Debian's package (`.ci/services` installs it when missing); Playwright drives it instead of a downloaded browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
QUERY_EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror')"
HEADERS_EDITOR = "[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')].at(-1)"


async def test_graphiql_renders_offline_and_runs_a_subscription(
    servers: StartServer, session: AsyncSession, rt_settings: Settings
) -> None:
    server = await servers()
    owner = await owner_with_booking(server.base_url, session)
    headers = json.dumps({"Authorization": f"Bearer {owner['access_token']}"})
    app_host = urlparse(server.base_url).netloc
    foreign: list[str] = []

    async def only_the_app(route: Route) -> None:
        if urlparse(route.request.url).netloc == app_host:
            await route.continue_()
        else:
            foreign.append(route.request.url)
            await route.abort()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = await browser.new_page()
            await page.route("**/*", only_the_app)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(f"{server.base_url}/graphql")
            await page.get_by_test_id("graphiql-container").wait_for(timeout=30_000)
            # typed into the editors as a developer would (GET /graphql?query= would run it, not open the IDE)
            await page.evaluate(f"q => {QUERY_EDITOR}.CodeMirror.setValue(q)", UNREAD_SUBSCRIPTION)
            await page.get_by_text("Headers", exact=True).click()
            await page.evaluate(f"h => {HEADERS_EDITOR}.CodeMirror.setValue(h)", headers)
            await page.locator(".graphiql-execute-button").click()
            response = page.locator(".graphiql-response")
            await response.get_by_text('"total": 0').wait_for(timeout=30_000)

            produce_messages(rt_settings, booking_id=owner["booking_id"], text="from the workshop")
            await response.get_by_text('"messages": 1').wait_for(timeout=30_000)
        finally:
            await browser.close()
    assert not foreign, foreign
    assert not errors, errors
