"""Every page of the web app in chromium: no axe-core violation, no sideways scroll on a phone,
no Content-Security-Policy violation (the pages run no inline script).

The pages come from the URL resolver, filled with Acme's rows as the isolation walk fills
them, so a page is checked the day it is added. A page is an address that answers a GET
with a whole HTML document (htmx partials, files and redirects are not pages). axe-core is
vendored from the npm registry (tests/browser/vendor) and runs offline in the page.
"""

from __future__ import annotations

import html
import json
import re
from collections import deque
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from constellation.server.demo import build_demo
from tests.browser.people import log_in
from tests.server.factories import make_world
from tests.server.test_isolation import addresses, parameter_values

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
PHONE = 390
DESKTOP = 1440
CHUNKS = 3
# Pages the walk must reach: an empty walk must not pass for a clean one.
MAIN_PAGES = (
    "/o/acme/",
    "/o/acme/home/",
    "/o/acme/my-week/",
    "/o/acme/teams/",
    "/o/acme/teams/growth/",
    "/o/acme/objectives/activation/",
    "/o/acme/plan/",
    "/o/acme/kpis/",
    "/o/acme/kpis/logo-churn/",
    "/o/acme/data-bank/",
    "/o/acme/people/",
    "/accounts/login/",
)
SKIPPED_PREFIXES = ("/api/", "/admin/", "/healthz", "/readyz", "/metrics", "/oidc/")
# Registered before any script of the page runs: every CSP violation it causes is kept.
# Registered once per page however often it is added (`_check` adds it for its callers).
LISTEN_FOR_CSP = """
if (!window.__cspViolations) {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
      + ` at ${e.sourceFile || ""}:${e.lineNumber}`);
  });
}
"""


def _is_page(response: Any) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return (
        response.status_code == 200
        and content_type.startswith("text/html")
        and b"<html" in response.content[:400].lower()
    )


def _pages(world: Any) -> tuple[list[str], list[str]]:
    """(pages an admin of Acme opens, pages someone signed out opens), in a stable order."""
    value = parameter_values(world)
    signed_in, signed_out = Client(), Client()
    signed_in.force_login(world.admin)
    mine: list[str] = []
    anonymous: list[str] = []
    for address in addresses(value):
        path = address.path
        if path.startswith(SKIPPED_PREFIXES) or "GET" not in address.methods:
            continue
        if _is_page(signed_in.get(path)):
            mine.append(path)
        elif _is_page(signed_out.get(path)):
            anonymous.append(path)
    mine.append("/o/acme/no-such-page/")  # the styled 404 is a page too
    return sorted(set(mine)), sorted(set(anonymous))


def _check(page: Any, url: str) -> list[str]:
    """What is wrong with the page at `url`: axe-core violations and a phone's sideways scroll."""
    page.add_init_script(LISTEN_FOR_CSP)
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.goto(url)
    problems = []
    # Evaluated by the browser's debugger, which the policy does not govern (a <script> tag
    # with axe's text would be an inline script, which the policy refuses).
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    problems += [
        f"{url}: axe {v['id']} ({v['impact']}): {v['help']} at "
        + json.dumps([node["target"] for node in v["nodes"][:3]])
        for v in result["violations"]
    ]
    page.set_viewport_size({"width": PHONE, "height": 844})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > limit + 1)
                 .filter(e => !e.closest('.scroll-x'))
                 .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className)""",
            PHONE,
        )
        problems.append(f"{url}: {width} px wide at {PHONE} px ({', '.join(wide)})")
    violations = page.evaluate("() => window.__cspViolations")
    return problems + [f"{url}: Content-Security-Policy: {v}" for v in violations]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_page_has_no_axe_violation_and_fits_a_phone(
    live_server: Any, browser: Any, chunk: int
) -> None:
    world = make_world()
    mine, anonymous = _pages(world)
    for path in MAIN_PAGES:
        assert path in mine or path in anonymous, f"the walk did not reach {path}: {mine}"
    problems: list[str] = []
    page = browser.new_page()
    page.add_init_script(LISTEN_FOR_CSP)
    for path in anonymous[chunk::CHUNKS]:
        problems += _check(page, live_server.url + path)
    log_in(page, live_server.url, "admin")
    for path in mine[chunk::CHUNKS]:
        problems += _check(page, live_server.url + path)
    assert not problems, "\n".join(problems)


def _walk_links(client: Client, start: str) -> list[str]:
    """The demo's pages reached by following links from `start`, one address per kind of page."""
    kinds: set[str] = set()
    pages: list[str] = []
    queue, seen = deque([start]), {start}
    while queue:
        path = queue.popleft()
        try:
            kind = resolve(path.split("?", 1)[0]).url_name or path
        except Resolver404:
            continue
        if kind in kinds:
            continue
        response = client.get(path)
        if not _is_page(response):
            continue
        kinds.add(kind)
        pages.append(path)
        for href in re.findall(r'href="(/[^"#]*)', response.content.decode()):
            link = html.unescape(href)
            if link not in seen and not link.startswith(SKIPPED_PREFIXES):
                seen.add(link)
                queue.append(link)
    return pages


@pytest.mark.django_db(transaction=True)
def test_the_demo_walked_by_its_links_has_no_axe_violation_and_fits_a_phone(
    live_server: Any, browser: Any
) -> None:
    """The demo's full organisation (charts, KPIs, a reviewed quarter), one page of each kind."""
    build_demo(date.today())
    client = Client()
    client.login(username="amara", password="demo")
    pages = _walk_links(client, "/o/demo/home/")
    assert len(pages) >= 20, pages
    page = browser.new_page()
    page.add_init_script(LISTEN_FOR_CSP)
    log_in(page, live_server.url, "amara", "demo")
    problems: list[str] = []
    for path in pages:
        problems += _check(page, live_server.url + path)
    assert not problems, "\n".join(problems)
