"""What an axe-core audit (tests/web/axe_audit.py, WCAG 2.1 A/AA) found wrong, held without axe:
text colours against what they are shown on, computed here as WCAG 2.1 defines contrast; lists
that reloaded themselves every minute unasked; pages whose content was in no landmark; table
headings not tied to their cells.

Reads the pages of a real `monitor web` over one alert (the ``site`` fixture, tests/web/web_site.py),
the alert email it sent, and a digest kept from the same database.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from bs4 import BeautifulSoup, Tag
from web_site import Site

from monitor.digest import html_style
from monitor.digest.model import DigestPeriod
from monitor.digest.send import compose, keep
from monitor.web import forums_page, pages
from monitor.web.html import STYLE
from monitor.web.session import session_keys

WHITE = "#ffffff"
BUTTON_FACE = "#efefef"  # Chromium's grey for a button with no background of its own
BODY_TEXT = "#1f2933"


def _luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777777", WHITE) == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert contrast("#b7791f", WHITE) < 4.5 < contrast("#975a16", WHITE)


def _css_rules(css: str) -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = {}
    for selectors, block in re.findall(r"([^{}]+)\{([^{}]*)\}", css.replace("\n", "")):
        declarations = dict(
            (name.strip(), value.strip())
            for name, _, value in (part.partition(":") for part in block.split(";") if ":" in part)
        )
        for selector in selectors.split(","):
            rules.setdefault(selector.strip(), {}).update(declarations)
    return rules


def _declared(style: str, name: str) -> str | None:
    found = re.search(rf"(?:^|;)\s*{name}\s*:\s*(#[0-9a-fA-F]{{3,6}})", style)
    return found.group(1) if found else None


def _background(element: Tag) -> str:
    """The background an element's text is drawn on: its own or an ancestor's inline one, a
    button's from the style sheet (or the browser's grey), else white."""
    node: Tag | None = element
    while node is not None and node.name != "[document]":
        own = _declared(str(node.get("style", "")), "background")
        if own is not None:
            return own
        if node.name == "button":
            return _css_rules(STYLE).get("button", {}).get("background", BUTTON_FACE)
        node = node.parent
    return WHITE


def _inline_text_colours(html: str) -> list[tuple[str, str, str]]:
    """(colour, background, element) of every element whose inline style gives its text a colour."""
    found = []
    for element in BeautifulSoup(html, "html.parser").find_all(style=True):
        colour = _declared(str(element["style"]), "color")
        if colour is not None and element.get_text(strip=True):
            found.append((colour, _background(element), str(element)[:120]))
    return found


def _too_faint(html: str) -> list[str]:
    return [
        f"{colour} on {ground} ({contrast(colour, ground):.2f}:1): {where}"
        for colour, ground, where in _inline_text_colours(html)
        if contrast(colour, ground) < 4.5
    ]


def test_buttons_have_a_background_of_their_own_that_coloured_labels_read_on() -> None:
    button = _css_rules(STYLE)["button"]
    assert "background" in button, "a button left on the browser's grey: #b45309 is 4.4:1 on it"
    ground = button["background"]
    assert contrast(button["color"], ground) >= 4.5
    for colour in [*pages.COLOURS.values(), "#2f6f3e"]:  # severities (ack, contacted) and "done"
        assert contrast(colour, ground) >= 4.5, colour


def test_the_style_sheets_colours_read_on_their_backgrounds() -> None:
    for selector, rule in _css_rules(STYLE).items():
        if "background" not in rule and rule.get("color") == "#fff":
            continue  # .badge, .big: white on the colour each is given inline (tested below)
        ground = rule.get("background", WHITE)
        text = rule.get("color", BODY_TEXT)
        if text.startswith("#") and ground.startswith("#"):
            assert contrast(text, ground) >= 4.5, f"{selector}: {text} on {ground}"


def test_white_on_every_badge_colour_and_every_named_text_colour_on_white() -> None:
    badges = [*pages.COLOURS.values(), *forums_page._STATE_COLOURS.values()]
    for colour in badges:
        assert contrast("#fff", colour) >= 4.5, colour
    for colour in [*html_style.VERDICT_COLOURS.values(), *html_style.SEVERITY_COLOURS.values()]:
        assert contrast(colour, WHITE) >= 4.5, colour


def test_the_alert_page_behind_a_signed_link_has_no_faint_text(site: Site) -> None:
    page = httpx.get(site.link("view"))
    assert page.status_code == 200 and 'value="contacted"' in page.text
    assert _too_faint(page.text) == []


def test_the_alert_email_has_no_faint_text(site: Site) -> None:
    html = site.email.get_body(("html",))
    assert html is not None
    assert _too_faint(html.get_content()) == []


def test_the_digest_has_no_faint_text(site: Site) -> None:
    """A digest whose forums were read only part of the week and whose alert is not yet contacted:
    the two amber lines the audit found at 3.6:1."""
    with site.sessions.begin() as session:
        now = site.now + timedelta(hours=1)
        period = DigestPeriod.week_ending(now, site.config.settings.general.timezone)
        html = compose(session, site.config, period, now, 0.5).html
    assert "monitored only since" in html and "no first contact yet" in html
    assert _too_faint(html) == []


def _signed_in(site: Site) -> httpx.Client:
    keys = session_keys(site.config)
    assert keys is not None
    client = httpx.Client(base_url=site.base_url)
    site.closing.append(client.close)
    assert client.post(keys.signin_url("li_na", site.now)).status_code == 303
    return client


@pytest.mark.parametrize("path", ["/alerts", "/alerts?view=all&mine=1", "/threads"])
def test_a_list_reloads_itself_only_when_asked(site: Site, path: str) -> None:
    """A reload every minute puts a screen reader back at the top and a keyboard's focus off its
    link (WCAG 2.2.1): it is a switch on the page, off unless turned on."""
    client = _signed_in(site)
    page = BeautifulSoup(client.get(path).text, "html.parser")
    assert page.find("meta", attrs={"http-equiv": "refresh"}) is None
    switch = page.find("a", string=re.compile("turn on"))
    assert isinstance(switch, Tag) and "refresh=1" in str(switch["href"])

    reloading = BeautifulSoup(client.get(str(switch["href"])).text, "html.parser")
    meta = reloading.find("meta", attrs={"http-equiv": "refresh"})
    assert isinstance(meta, Tag) and meta["content"] == "60"
    off = reloading.find("a", string="关闭 turn off")
    assert isinstance(off, Tag) and "refresh" not in str(off["href"])
    if path.startswith("/alerts"):  # the views, only mine and the pages keep it on
        links = [str(a["href"]) for a in reloading.select("a[href^='/alerts?']") if a is not off]
        assert links and all("refresh=1" in link for link in links), links
        assert ("mine=1" in str(switch["href"])) == ("mine=1" in path)


def _landmarks_problems(html: str) -> list[str]:
    page = BeautifulSoup(html, "html.parser")
    body = page.body
    assert body is not None
    problems = []
    mains = page.find_all("main")
    if len(mains) != 1:
        problems.append(f"{len(mains)} <main> elements")
    outside = [child.name for child in body.find_all(recursive=False) if child.name not in ("nav", "main")]
    if outside:
        problems.append(f"outside any landmark: {outside}")
    h1 = page.find("h1")
    if h1 is None or h1.find_parent("main") is None:
        problems.append("the h1 is not in <main>")
    for nav in page.find_all("nav"):
        if nav.find_parent("main") is not None:
            problems.append("the nav is inside <main>")
    return problems


def test_every_page_is_a_nav_then_its_main_content(site: Site) -> None:
    signed_out = {
        "sign-in": httpx.get(f"{site.base_url}/signin").text,
        "signed link": httpx.get(site.link("ack")).text,
        "home": httpx.get(f"{site.base_url}/").text,
    }
    client = _signed_in(site)
    signed_in = {
        path: client.get(path).text
        for path in ("/alerts", f"/alerts/{site.alert_id}", "/threads", "/sources", "/digests")
    }
    signed_in["sign out everywhere"] = client.get("/signout/everywhere").text
    for name, html in signed_in.items():
        assert BeautifulSoup(html, "html.parser").find("nav") is not None, name
    site.now += timedelta(days=30)
    expired = httpx.get(site.link("view"))
    assert expired.status_code == 410
    for name, html in {**signed_out, **signed_in, "expired link": expired.text}.items():
        assert _landmarks_problems(html) == [], name


def _heading_problems(html: str) -> list[str]:
    """Every table with figures says which headings are its columns' and which its rows':
    each ``th`` has a scope and a name, and no table of headings is marked as mere layout."""
    problems = []
    for table in BeautifulSoup(html, "html.parser").find_all("table"):
        headings = table.find_all("th")
        if headings and table.get("role") == "presentation":
            problems.append(f"headings hidden by role=presentation: {str(table)[:80]}")
        for th in headings:
            if th.get("scope") not in ("col", "row") or not th.get_text(strip=True):
                problems.append(str(th)[:80])
    return problems


def test_every_table_heading_is_its_column_or_its_row(site: Site) -> None:
    from monitor.alerting import lifecycle
    from monitor.store.models import Alert

    with site.sessions.begin() as session:  # a second line in the trail
        lifecycle.note(session, session.get_one(Alert, site.alert_id), "li_na", site.now, "已联系客户")
    client = _signed_in(site)
    shown = {path: client.get(path).text for path in ("/alerts", f"/alerts/{site.alert_id}", "/sources")}
    shown["signed link"] = httpx.get(site.link("view")).text
    email = site.email.get_body(("html",))
    assert email is not None
    shown["alert email"] = email.get_content()
    with site.sessions.begin() as session:
        now = site.now + timedelta(hours=1)
        period = DigestPeriod.week_ending(now, site.config.settings.general.timezone)
        row = compose(session, site.config, period, now, 0.5)
        keep(session, row)
        shown["digest"] = row.html
    shown["/digests"] = client.get("/digests").text
    trail = BeautifulSoup(shown["signed link"], "html.parser").find("h2", string=re.compile("Trail"))
    assert trail is not None and "When" in trail.find_next("table").find("tr").get_text()  # type: ignore[union-attr]
    for name, html in shown.items():
        assert BeautifulSoup(html, "html.parser").find("th") is not None, name
        assert _heading_problems(html) == [], name
