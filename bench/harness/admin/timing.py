"""Times admin pages in Debian's chromium: signs in through the form once, then navigates
to each view in turn and reads the browser's own figures: Navigation Timing, the first
contentful paint, and when the view's results were painted (Element Timing) and shown
(shown.js)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = "/usr/bin/chromium"
SHOWN_JS = (Path(__file__).resolve().parent / "shown.js").read_text()
# Every figure is in ms since the navigation started, except the sizes.
READ_FIGURES = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const bench = window.__adminBench;
  return {
    response_start_ms: navigation.responseStart,
    response_end_ms: navigation.responseEnd,
    dom_content_loaded_ms: navigation.domContentLoadedEventEnd,
    load_ms: navigation.loadEventEnd,
    first_contentful_paint_ms: paint ? paint.startTime : null,
    results_painted_ms: bench.painted,
    results_in_dom_ms: bench.inDom,
    results_shown_ms: bench.shown,
    html_bytes: navigation.decodedBodySize,
    html_transferred_bytes: navigation.encodedBodySize,
  };
}"""
# Loaded, the frame after the results has ended, and their paint reported (Element Timing
# entries come in a task of their own; after half a second, none will).
DONE = """() => {
  const bench = window.__adminBench;
  return performance.getEntriesByType("navigation")[0].loadEventEnd > 0 && bench.shown !== null
    && (bench.painted !== null || performance.now() > bench.shown + 500);
}"""
# What the pages load (scripts, styles, images, fonts), not what their scripts fetch.
ASSET_URLS = """() => performance.getEntriesByType("resource")
  .filter((entry) => !["fetch", "xmlhttprequest", "beacon"].includes(entry.initiatorType))
  .map((entry) => entry.name)"""
Figures = dict[str, float | None]


@dataclass(frozen=True)
class View:
    name: str
    path: str  # from the origin, query string included
    ready: str  # CSS selector of what a person waits for: the view's results
    # Each load starts from an empty HTTP cache, as a person's first visit does.
    empty_cache: bool = False


@dataclass
class ViewTimings:
    view: View
    # Why the view could not be measured (an HTTP status, a redirect), or None.
    unavailable: str | None = None
    runs: list[Figures] = field(default_factory=list)
    # Script errors and Content-Security-Policy refusals seen on the page.
    problems: list[str] = field(default_factory=list)


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(context: BrowserContext, base_url: str, token: str) -> None:
    """Signs in through the admin's form, as a person pasting their token does."""
    page = context.new_page()
    page.goto(f"{base_url}/admin/login")
    page.locator("#token").fill(token)
    page.locator("form[action='/admin/login'] [type=submit]").click()
    page.wait_for_url(f"{base_url}/admin/")
    page.close()


def _page_for(context: BrowserContext, timings: ViewTimings) -> Page:
    page = context.new_page()
    page.add_init_script(f"({SHOWN_JS})({json.dumps(timings.view.ready)})")
    page.on("pageerror", lambda error: timings.problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            timings.problems.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def _signed_in_context(browser: Browser, base_url: str, token: str) -> BrowserContext:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    sign_in(context, base_url, token)
    return context


def _visit(page: Page, base_url: str, timings: ViewTimings) -> Figures | None:
    """One navigation to the view; its figures, or None (and `unavailable` set)."""
    if timings.view.empty_cache:
        devtools = page.context.new_cdp_session(page)
        devtools.send("Network.clearBrowserCache")
        devtools.detach()
    response = page.goto(base_url + timings.view.path, wait_until="load")
    if response is None or response.status != 200:
        timings.unavailable = f"HTTP {response.status if response else 'no response'}"
        return None
    if urlsplit(page.url).path != urlsplit(timings.view.path).path:
        timings.unavailable = f"redirected to {urlsplit(page.url).path}"
        return None
    try:
        page.wait_for_function(DONE, timeout=10_000)
    except PlaywrightTimeout:
        timings.unavailable = f"no visible {timings.view.ready!r} within 10 s"
        return None
    figures: Figures = page.evaluate(READ_FIGURES)
    return figures


def time_views(
    browser: Browser,
    base_url: str,
    token: str,
    views: Sequence[View],
    *,
    runs: int,
    warmups: int,
) -> tuple[list[ViewTimings], set[str]]:
    """Each view's figures over `runs` rounds after `warmups` unrecorded ones, and the URLs
    of every asset the pages loaded. The views share one signed-in browser context, so the
    assets are in its cache after the first round, as for a person going from page to page
    (they are served with `no-cache`: each load revalidates them); a view that starts from
    an empty cache has a context of its own. Rounds take the views in turn, so a slow spell
    of the machine falls on all of them."""
    shared = _signed_in_context(browser, base_url, token)
    contexts = [shared]
    try:
        results = [ViewTimings(view) for view in views]
        pages = []
        for timings in results:
            context = shared
            if timings.view.empty_cache:
                context = _signed_in_context(browser, base_url, token)
                contexts.append(context)
            pages.append(_page_for(context, timings))
        assets: set[str] = set()
        for round_number in range(warmups + runs):
            for page, timings in zip(pages, results, strict=True):
                if timings.unavailable is not None:
                    continue
                figures = _visit(page, base_url, timings)
                if figures is None:
                    continue
                assets.update(page.evaluate(ASSET_URLS))
                if round_number >= warmups:
                    timings.runs.append(figures)
        return results, assets
    finally:
        for context in contexts:
            context.close()
