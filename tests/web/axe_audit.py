"""An accessibility audit of every page with axe-core (WCAG 2.1 A and AA rules) in headless Chromium.

axe-core is not shipped with the product nor with the tests (it is 650 KB); fetch it yourself and
point this script at it::

    cd /tmp && npm pack axe-core && tar xzf axe-core-*.tgz
    .venv/bin/python tests/web/axe_audit.py /tmp/package/axe.min.js

It starts the real web app over one alert (tests/web/web_site.py), keeps a weekly digest, signs in
and runs axe on the dashboard pages, on the alert page behind each signed link (view, ack,
contacted), on the expired-link page, and on an alert email's and the digest email's HTML (loaded
as files). It prints each page's violations by rule and exits 1 if any page has one;
``--best-practice`` adds axe's best-practice rules (landmarks, regions) to the WCAG ones.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from web_site import Site, running_site

from monitor.digest.model import DigestPeriod
from monitor.digest.send import compose, keep
from monitor.web.session import session_keys

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@contextmanager
def chromium() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,1400"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def audit(browser: object, axe: str, tags: list[str]) -> list[dict[str, object]]:
    """axe's violations on the page ``browser`` shows."""
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.execute_script(axe)
    browser.set_script_timeout(60)
    options = json.dumps({"runOnly": {"type": "tag", "values": tags}})
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {options}).then(r => done(r.violations), e => done(String(e)));"
    )
    assert isinstance(result, list), result
    return result


def keep_digest(site: Site) -> int:
    with site.sessions.begin() as session:
        period = DigestPeriod.week_ending(site.now, site.config.settings.general.timezone)
        row = compose(session, site.config, period, site.now, 0.5)
        keep(session, row)
        return row.id


def more_alerts(site: Site) -> None:
    """An alert of each severity besides the site's own, so every badge colour is on the pages."""
    from datetime import timedelta as minutes

    from web_site import OPENED

    from monitor.alerting.service import consider
    from monitor.detect.assess import Assessment
    from monitor.detect.severity import Severity
    from monitor.sources.base import ThreadSummary
    from monitor.store import repo

    with site.sessions.begin() as session:
        source = repo.ensure_source(session, site.config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        for n, severity in enumerate((Severity.VERY_URGENT, Severity.GENERAL), start=1):
            summary = ThreadSummary(
                thread_id=str(100 + n), title=f"携程退款不给 {n}", author="a", author_id="1",
                replies=9 * n, views=100, sticky=False, url=f"http://forum.test/thread-{100 + n}-1-1.html",
            )  # fmt: skip
            thread, _ = repo.upsert_thread(session, source, board, summary, OPENED)
            assessment = Assessment(
                escalating=True, severity=severity, figures=["9 replies in the last 60 min"], signals=[],
                negative_share=0.8, replies_per_hour=9.0,
            )  # fmt: skip
            group = site.config.watch_groups[0]
            assert consider(session, site.config, thread, group, assessment, OPENED + minutes(minutes=n))


def pages(site: Site, browser: object, files: Path) -> Iterator[tuple[str, str]]:
    """(name, url) of each page to audit, in an order that leaves the browser in the right state."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    base = site.base_url
    yield "sign-in form (signed out)", f"{base}/signin"
    keys = session_keys(site.config)
    assert keys is not None
    link = keys.signin_url("li_na", site.now)
    yield "sign-in link page", link
    browser.get(link)
    browser.find_element(By.CSS_SELECTOR, "button.big").click()
    more_alerts(site)
    digest = keep_digest(site)
    yield "alerts list", f"{base}/alerts"
    yield "alerts list (all)", f"{base}/alerts?view=all"
    yield "alert page", f"{base}/alerts/{site.alert_id}"
    yield "threads", f"{base}/threads"
    yield "sources", f"{base}/sources"
    yield "digests list", f"{base}/digests"
    yield "one digest", f"{base}/digests/{digest}"
    yield "sign out everywhere", f"{base}/signout/everywhere"
    browser.delete_all_cookies()
    for kind in ("view", "ack", "contacted"):
        yield f"signed link: {kind}", site.link(kind)
    html = site.email.get_body(("html",))
    assert html is not None
    (files / "alert-email.html").write_text(html.get_content(), encoding="utf-8")
    yield "alert email HTML", (files / "alert-email.html").as_uri()
    with site.sessions() as session:
        from monitor.store.models import DigestRow

        row = session.get(DigestRow, digest)
        assert row is not None
        (files / "digest-email.html").write_text(row.html, encoding="utf-8")
    yield "digest email HTML", (files / "digest-email.html").as_uri()
    site.now += timedelta(days=30)
    yield "expired link page", site.link("view")


def main(axe_path: str, best_practice: bool = False) -> int:
    axe = Path(axe_path).read_text(encoding="utf-8")
    total = 0
    with tempfile.TemporaryDirectory() as tmp, running_site(Path(tmp)) as site, chromium() as browser:
        from selenium.webdriver.remote.webdriver import WebDriver

        assert isinstance(browser, WebDriver)
        for name, url in pages(site, browser, Path(tmp)):
            browser.get(url)
            violations = audit(browser, axe, WCAG + (["best-practice"] if best_practice else []))
            total += len(violations)
            nodes = sum(len(v["nodes"]) for v in violations)  # type: ignore[arg-type]
            print(f"{name}: {len(violations)} rule(s), {nodes} node(s)  [{browser.title}]")
            for v in violations:
                print(f"    {v['id']} ({v['impact']}): {len(v['nodes'])} node(s) — {v['help']}")  # type: ignore[arg-type]
                for node in v["nodes"][:3]:  # type: ignore[index]
                    print(f"        {node['target']} {node['html'][:110]}")
                    summary = node.get("failureSummary", "").replace("\n", " ")
                    print(f"          {summary[:220]}")
    print(f"total: {total} violated rule(s) across pages")
    return 1 if total else 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--best-practice"]
    sys.exit(main(args[0] if args else "/tmp/package/axe.min.js", "--best-practice" in sys.argv))
