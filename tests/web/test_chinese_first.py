"""Every label and sentence a PR person reads on the web pages is Chinese first, then English, as the
alerts and the digest are (monitor/alerting/labels.py, monitor/digest/headings.py).

Walks the pages of a real `monitor web` over one alert (the ``site`` fixture, tests/web/web_site.py)
over loopback, signed in and through the alert's signed link, with the flash lines and the error
pages (403, 404, 409, 410), and fails on any heading, button, label, table heading, option, link,
phone-layout ``data-label``, flash line or paragraph that has English words and no Chinese.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from bs4 import BeautifulSoup, Tag
from web_site import Site

from monitor.alerting import lifecycle
from monitor.digest.model import DigestPeriod
from monitor.digest.send import compose, keep
from monitor.store.models import Alert
from monitor.web.session import session_keys

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Text with English words and no Chinese that is right as it is, and why:
ALLOWED = {
    "BBS crisis monitor",  # the product's name, in the page's <title> after the Chinese page name
}
CHECKED = "title, h1, h2, h3, th, button, label, option, a, p, caption, legend, summary"


def english_only(html: str) -> list[str]:
    """What on the page reads in English only: the text of each element :data:`CHECKED` selects
    (``<code>`` left out: a command is typed as it is) and each ``data-label``."""
    page = BeautifulSoup(html, "html.parser")
    for code in page.find_all("code"):
        code.replace_with(" ")
    found = []
    shown = [(element.name, element.get_text(" ", strip=True)) for element in page.select(CHECKED)]
    shown += [("data-label", str(cell["data-label"])) for cell in page.select("[data-label]")]
    for name, text in shown:
        text = text.replace(" · BBS crisis monitor", "")
        if text in ALLOWED or CJK.search(text) or not LATIN_WORD.search(text):
            continue
        found.append(f"<{name}> {text[:100]}")
    return found


def test_the_audit_catches_a_heading_or_a_label_in_english_only() -> None:
    assert english_only("<h2>处置清单 Checklist</h2><th>#</th><p>12:00 — 3/5</p>") == []
    assert english_only('<th scope="col">Score</th>') == ["<th> Score"]
    assert english_only('<td data-label="Watch group">x</td>') == ["<data-label> Watch group"]
    assert english_only("<p>Run <code>monitor alerts list</code> 查看</p>") == []
    assert english_only("<button>Send</button>") == ["<button> Send"]


def _signed_in(site: Site) -> httpx.Client:
    keys = session_keys(site.config)
    assert keys is not None
    client = httpx.Client(base_url=site.base_url)
    site.closing.append(client.close)
    assert client.post(keys.signin_url("li_na", site.now)).status_code == 303
    return client


def _csrf(html: str) -> str:
    field = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "csrf"})
    assert isinstance(field, Tag)
    return str(field["value"])


def test_every_page_reads_chinese_first(site: Site) -> None:
    shown: dict[str, str] = {
        "home": httpx.get(f"{site.base_url}/").text,
        "sign-in": httpx.get(f"{site.base_url}/signin").text,
        "signed link": httpx.get(site.link("ack")).text,
        "signed link, contacted": httpx.get(site.link("contacted")).text,
    }
    sent = httpx.post(f"{site.base_url}/signin", data={"email": "nobody@example.com"})
    shown["sign-in sent"] = sent.text
    shown["not an address"] = httpx.post(f"{site.base_url}/signin", data={"email": "x"}).text
    shown["bad sign-in link"] = httpx.get(f"{site.base_url}/signin/nonsense").text
    shown["bad link"] = httpx.get(f"{site.base_url}/l/nonsense").text
    client = _signed_in(site)
    with site.sessions.begin() as session:  # a second line in the trail
        lifecycle.note(session, session.get_one(Alert, site.alert_id), "li_na", site.now, "已联系客户")
        period = DigestPeriod.week_ending(site.now, site.config.settings.general.timezone)
        digest = compose(session, site.config, period, site.now, 0.5)
        keep(session, digest)
        digest_id = digest.id
    for path in (
        "/alerts",
        "/alerts?view=open&mine=1&refresh=1",
        "/alerts?view=resolved",
        "/alerts?page=9",
        f"/alerts/{site.alert_id}",
        f"/alerts/{site.alert_id}?trail=all",
        "/threads",
        "/threads?hours=0.01&refresh=1",
        "/sources",
        "/digests",
        "/signout/everywhere",
        "/alerts/9999",
        "/digests/9999",
    ):
        shown[path] = client.get(path).text
    shown["a digest"] = client.get(f"/digests/{digest_id}").text
    page = f"/alerts/{site.alert_id}"
    csrf = _csrf(shown[page])
    refused = client.post(page, data={"do": "resolve", "note": " ", "csrf": csrf})
    assert refused.status_code == 409
    shown["409 refused"] = refused.text
    forged = client.post(page, data={"do": "ack", "csrf": "forged"})
    assert forged.status_code == 403
    shown["403 token"] = forged.text
    foreign = client.post(page, data={"do": "ack", "csrf": csrf}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    shown["403 other site"] = foreign.text
    for do in ("ack", "contacted", "note"):
        acted = client.post(page, data={"do": do, "note": "已回电", "csrf": csrf})
        assert acted.status_code == 303, acted.text
        shown[f"flash {do}"] = client.get(acted.headers["location"]).text
        assert 'class="flash"' in shown[f"flash {do}"]
    shown["tick"] = client.post(page, data={"do": "tick", "step": "x", "csrf": csrf}).text
    acted = client.post(page, data={"do": "resolve", "note": "已退款", "csrf": csrf})
    shown["resolved"] = client.get(acted.headers["location"]).text
    site.now += timedelta(days=30)
    expired = httpx.get(site.link("view"))
    assert expired.status_code == 410
    shown["410 expired link"] = expired.text
    problems = {name: found for name, html in shown.items() if (found := english_only(html))}
    assert problems == {}
