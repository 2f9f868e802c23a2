"""The alert page in a real browser (Chromium, headless): follow the email's link, click, see it land.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them). Without them the
tests skip with the reason; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from web_site import Site, free_port, serving

from monitor.store.models import Alert
from monitor.web.session import COOKIE, session_keys


def _submit(browser: object, button: object, done: str) -> str:
    """Click a form's button, wait for the page it leads to (``?done=<done>``), return its flash text.

    A click returns before the browser has navigated: looking for the flash at once would read
    this page (none, or the last action's) instead of the next. Waiting on an old element going
    stale is no better: Chromium sometimes answers that with an inspector error, not with
    "stale", so the wait is on the address and the document being complete.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support.wait import WebDriverWait

    assert isinstance(browser, WebDriver) and isinstance(button, WebElement)
    button.click()
    wait = WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,))
    wait.until(
        lambda d: (
            d.current_url.split("#")[0].endswith(f"?done={done}")
            and d.execute_script("return document.readyState") == "complete"
        )
    )
    return str(wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".flash").text))


def _after(browser: object, path: str, selector: str) -> str:
    """Wait for the page at ``path`` (after a click) to be loaded; the text of ``selector`` on it."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    wait = WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,))
    wait.until(
        lambda d: (
            d.current_url.split("?")[0].endswith(path)
            and d.execute_script("return document.readyState") == "complete"
        )
    )
    return str(wait.until(lambda d: d.find_element(By.CSS_SELECTOR, selector).text))


def _alert(site: Site) -> Alert:
    alert = site.sessions().get(Alert, site.alert_id)
    assert alert is not None
    return alert


def test_acknowledge_and_tick_a_step_by_clicking(site: Site, browser: object, tmp_path: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.get(site.link("ack"))
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert '<script>document.title="pwned"</script>' in heading  # shown as text
    assert browser.title.startswith("#1 紧迫 urgent 途乐旅行")  # the script never ran to replace it
    assert browser.find_elements(By.CSS_SELECTOR, "h1 img") == []
    assert _alert(site).acknowledged_at is None  # opening the page did nothing

    big = browser.find_element(By.CSS_SELECTOR, "button.big")
    assert big.text == "确认 Acknowledge"
    assert browser.switch_to.active_element == big  # Enter or a tap does it
    flash = _submit(browser, big, "ack")
    assert flash.startswith("已确认 此告警现在由你负责") and "Acknowledged: you own this alert now" in flash
    assert browser.current_url.endswith("?done=ack")
    alert = _alert(site)
    assert alert.acknowledged_by == "li_na (web link)" and alert.acknowledged_at == site.now
    assert browser.find_elements(By.CSS_SELECTOR, "button.big") == []  # nothing left to acknowledge

    site.now += timedelta(minutes=3)
    tick = browser.find_element(By.CSS_SELECTOR, 'button[value="tick"]')
    assert _submit(browser, tick, "tick").startswith("已勾选")
    assert browser.current_url.endswith("?done=tick#checklist")  # back at the checklist, not the top
    first = _alert(site).checklist[0]
    assert first.done_by == "li_na (web link)" and first.done_at == site.now
    browser.refresh()  # post/redirect/get: a reload repeats nothing
    assert sum(1 for item in _alert(site).checklist if item.done_at is not None) == 1

    trail = browser.find_element(By.XPATH, "//h2[contains(., 'Trail')]/following-sibling::table[1]").text
    assert "acknowledged li_na (web link)" in trail and "checklist li_na (web link)" in trail


def test_resolve_from_the_page(site: Site, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.get(site.link("view"))
    browser.find_element(By.ID, "note").send_keys("退款已到账，客户在原帖致谢")
    resolve = browser.find_element(By.CSS_SELECTOR, 'button[value="resolve"]')
    assert _submit(browser, resolve, "resolve").startswith("已结案")
    alert = _alert(site)
    assert alert.status == "resolved"
    assert browser.find_elements(By.CSS_SELECTOR, 'button[value="tick"]') == []


def test_sign_in_from_the_email_and_work_the_alert_from_the_dashboard(
    site: Site, browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.get(f"{site.base_url}/alerts")
    assert browser.current_url == f"{site.base_url}/signin"  # signed out: sent to sign in
    browser.find_element(By.ID, "email").send_keys("li.na@pr.demo.invalid")
    browser.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    assert "a sign-in link is on its way" in _after(browser, "/signin", ".flash")
    assert site.sink.wait_for(2)
    body = site.sink.messages[1].get_body(("plain",))
    assert body is not None
    [link] = re.findall(r"(http://\S+/signin/[\w.-]+)", body.get_content())

    browser.get(link)
    browser.find_element(By.CSS_SELECTOR, "button.big").click()
    assert _after(browser, "/alerts", "h1") == "告警 Alerts"
    row = browser.find_element(By.CSS_SELECTOR, "table.list tr:nth-child(2)")
    assert '<script>document.title="pwned"</script>' in row.text  # scraped title shown as text
    assert browser.find_elements(By.CSS_SELECTOR, "table.list img") == []
    browser.save_screenshot(str(tmp_path / "dashboard.png"))

    row.find_element(By.CSS_SELECTOR, f'a[href="/alerts/{site.alert_id}"]').click()
    _after(browser, f"/alerts/{site.alert_id}", "h1")
    assert browser.title.startswith("#1 紧迫 urgent 途乐旅行")  # no script ran to replace it
    ack = browser.find_element(By.CSS_SELECTOR, 'button[value="ack"]')
    assert _submit(browser, ack, "ack").startswith("已确认 此告警现在由你负责")
    assert _alert(site).acknowledged_by == "li_na (web)"

    browser.find_element(By.XPATH, "//nav//button").click()  # sign out
    assert _after(browser, "/signin", "h1") == "登录 Sign in"
    browser.get(f"{site.base_url}/alerts")
    assert browser.current_url == f"{site.base_url}/signin"


def test_a_sign_in_link_planted_on_another_site_signs_nobody_in(site: Site, browser: object) -> None:
    """Login CSRF: a page elsewhere holds someone's sign-in link in a form; a visitor clicks it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    assert isinstance(browser, WebDriver)
    keys = session_keys(site.config)
    assert keys is not None
    link = keys.signin_url("li_na", site.now)
    page = f'<form method="post" action="{link}"><button id="win">Claim your prize</button></form>'
    evil = Starlette(routes=[Route("/", lambda request: HTMLResponse(page))])
    port = free_port()
    with serving(evil, port):
        browser.get(f"http://localhost:{port}/")  # localhost is another site than 127.0.0.1
        browser.find_element(By.ID, "win").click()
        assert _after(browser, link.removeprefix(site.base_url), "h1") == "请求被拒绝 Refused"
    assert browser.get_cookie(COOKIE) is None
    browser.get(f"{site.base_url}/alerts")
    assert browser.current_url == f"{site.base_url}/signin"  # nobody was signed in

    browser.get(link)  # the link's owner can still use it, from the monitor's own page
    browser.find_element(By.CSS_SELECTOR, "button.big").click()
    assert _after(browser, "/alerts", "h1") == "告警 Alerts"


def test_on_a_phone_no_page_is_wider_than_the_screen(site: Site, browser: object) -> None:
    """Spokespeople read alerts on their phones: wide lists scroll inside themselves, the page does not."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    from monitor.alerting import lifecycle

    assert isinstance(browser, WebDriver)
    with (
        site.sessions.begin() as session
    ):  # a reply's address pasted into a note had made every page 1,098 px
        alert = session.get_one(Alert, site.alert_id)
        long_url = (
            "https://bbs.example.cn/forum.php?mod=viewthread&tid=8812&extra=page%3D1&page=3#pid" + "9" * 60
        )
        lifecycle.note(session, alert, "li_na", site.now, f"回复了 {long_url}")
    browser.set_window_size(390, 1400)
    keys = session_keys(site.config)
    assert keys is not None
    browser.get(keys.signin_url("li_na", site.now))
    browser.find_element(By.CSS_SELECTOR, "button.big").click()
    _after(browser, "/alerts", "h1")
    for path in ("/alerts?view=all", f"/alerts/{site.alert_id}", "/threads", "/sources", "/digests"):
        browser.get(site.base_url + path)
        page, screen = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert page <= screen, f"{path} is {page} px wide on a {screen} px screen"
    browser.get(site.link("view"))
    page, screen = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert page <= screen
    browser.get(site.base_url + "/alerts?view=all")
    due = browser.find_element(By.XPATH, "//table[@class='list']//tr[2]/td[4]")
    right, screen = browser.execute_script(
        "return [arguments[0].getBoundingClientRect().right, window.innerWidth]", due
    )
    assert "✓" in due.text or "due" in due.text or "overdue" in due.text  # the first-contact column
    assert right <= screen, f"the first-contact column ends at {right} px on a {screen} px screen"
