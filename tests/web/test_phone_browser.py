"""The dashboard on a phone (375 × 667) in a real browser (Chromium, headless): the alert list,
the nav's tap targets and signing out everywhere, as a spokesperson's thumb meets them.

Needs Debian's ``chromium`` and ``chromium-driver``; without them the tests skip with the reason,
and in CI (CI=true) they fail instead — as tests/web/test_browser.py.
"""

from __future__ import annotations

from datetime import timedelta

from web_site import OPENED, Site

from monitor.alerting.service import consider
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.web.session import session_keys

PHONE = (375, 667)
# one word the browser cannot break at a space, and a pasted address: both once widened the list
LONG_TITLES = (
    "携程" + "退款不给" * 40,
    "https://bbs.example.cn/forum.php?mod=viewthread&tid=8812&extra=page%3D1&page=3#pid" + "9" * 60,
    "星巴克门店经理叫警察带走两位等朋友的顾客",
)


def _more_alerts(site: Site) -> None:
    severities = (Severity.VERY_URGENT, Severity.GENERAL, Severity.URGENT)
    with site.sessions.begin() as session:
        source = repo.ensure_source(session, site.config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        for n, (title, severity) in enumerate(zip(LONG_TITLES, severities, strict=True), start=1):
            summary = ThreadSummary(
                thread_id=str(100 + n),
                title=title,
                author="a",
                author_id="1",
                replies=9 * n,
                views=100,
                sticky=False,
                url=f"http://forum.test/thread-{100 + n}-1-1.html",
            )
            thread, _ = repo.upsert_thread(session, source, board, summary, OPENED)
            assessment = Assessment(
                escalating=True,
                severity=severity,
                figures=["9 replies in the last 60 min"],
                signals=[],
                negative_share=0.8,
                replies_per_hour=9.0,
            )
            group = site.config.watch_groups[0]
            assert consider(session, site.config, thread, group, assessment, OPENED + timedelta(minutes=n))


def _sign_in(site: Site, browser: object) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.wait import WebDriverWait

    assert isinstance(browser, WebDriver)
    keys = session_keys(site.config)
    assert keys is not None
    browser.get(keys.signin_url("li_na", site.now))
    browser.find_element(By.CSS_SELECTOR, "button.big").click()
    wait = WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,))
    wait.until(lambda d: d.current_url.endswith("/alerts") and d.find_element(By.TAG_NAME, "h1"))


def test_on_a_phone_the_alert_list_is_read_down_the_screen_not_scrolled_sideways(
    site: Site, browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    _more_alerts(site)
    browser.set_window_size(*PHONE)
    _sign_in(site, browser)
    browser.get(site.base_url + "/alerts?view=all")
    rows = browser.find_elements(By.CSS_SELECTOR, "#alert-list tr")
    assert len(rows) == 5  # the header and four alerts
    page, screen = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert page <= screen, f"the alert list page is {page} px wide on a {screen} px screen"
    table = browser.find_element(By.ID, "alert-list")
    inside, box = browser.execute_script("return [arguments[0].scrollWidth, arguments[0].clientWidth]", table)
    assert inside <= box, f"the alert list scrolls sideways inside itself: {inside} px in {box} px"
    for cell in browser.find_elements(By.CSS_SELECTOR, "#alert-list td"):
        right = browser.execute_script("return arguments[0].getBoundingClientRect().right", cell)
        assert right <= screen, f"{cell.text!r} ends at {right} px on a {screen} px screen"
    # the later columns, in sight and named, now that no header row stands above them
    card = rows[1]
    assert card.find_element(By.XPATH, "./td[3]").is_displayed()
    named = ((7, "负责人 Owner"), (8, "告警时间 Opened"), (9, "处置清单 Checklist"))
    named += ((4, "首次联系 First contact"),)
    for column, label in named:  # Chinese first, as the column headings
        cell = card.find_element(By.XPATH, f"./td[{column}]")
        assert cell.is_displayed() and cell.text
        before = browser.execute_script("return getComputedStyle(arguments[0], '::before').content", cell)
        assert label in before
    title = next(row for row in rows[1:] if "退款不给退款不给" in row.text)
    assert title.find_element(By.XPATH, "./td[3]").size["height"] > 40  # the long title wraps


def test_at_desk_width_the_alert_list_is_still_a_table(site: Site, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    _more_alerts(site)
    browser.set_window_size(1280, 900)
    _sign_in(site, browser)
    browser.get(site.base_url + "/alerts?view=all")
    header = browser.find_element(By.CSS_SELECTOR, "#alert-list tr")
    assert header.is_displayed() and "Checklist" in header.text
    for row in browser.find_elements(By.CSS_SELECTOR, "#alert-list tr")[1:]:
        tops = {cell.location["y"] for cell in row.find_elements(By.TAG_NAME, "td")}
        assert len(tops) == 1  # one line of cells side by side
    befores = browser.execute_script(
        "return [...document.querySelectorAll('#alert-list td')]"
        ".map(c => getComputedStyle(c, '::before').content)"
    )
    assert set(befores) == {"none"}  # the header row names the columns; no labels in the cells


def test_on_a_phone_the_nav_links_are_tap_sized_and_signing_out_everywhere_asks_first(
    site: Site, browser: object
) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.wait import WebDriverWait

    assert isinstance(browser, WebDriver)
    _more_alerts(site)
    browser.set_window_size(*PHONE)
    _sign_in(site, browser)
    for path in ("/alerts", f"/alerts/{site.alert_id}", "/threads", "/sources", "/digests"):
        browser.get(site.base_url + path)
        targets = browser.find_elements(By.CSS_SELECTOR, "nav a, nav button")
        assert len(targets) >= 5
        for target in targets:
            assert target.size["height"] >= 44, f"{path}: {target.text!r} is {target.size['height']} px tall"
        # nothing on the page signs out everywhere in one tap
        assert browser.find_elements(By.CSS_SELECTOR, '[name="everywhere"]') == []

    browser.get(site.base_url + "/alerts")
    browser.find_element(By.CSS_SELECTOR, 'nav a[href="/signout/everywhere"]').click()
    wait = WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,))
    wait.until(lambda d: d.current_url.endswith("/signout/everywhere"))
    assert "every device" in browser.find_element(By.TAG_NAME, "body").text
    form = browser.find_element(By.XPATH, "//form[.//input[@name='everywhere']]")
    assert form.get_attribute("method") == "post" and form.find_elements(By.NAME, "csrf")
    browser.get(site.base_url + "/alerts")  # the question alone signed nobody out
    assert browser.current_url.endswith("/alerts")

    browser.get(site.base_url + "/signout/everywhere")
    button = browser.find_element(By.CSS_SELECTOR, "form button.big")
    assert "Sign out everywhere" in button.text
    button.click()
    wait.until(lambda d: d.current_url.endswith("/signin"))
    browser.get(site.base_url + "/alerts")
    assert browser.current_url.endswith("/signin")


def test_on_a_phone_the_checklist_keeps_its_times_and_done_buttons_on_one_line(
    site: Site, browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.set_window_size(*PHONE)
    _sign_in(site, browser)
    browser.get(f"{site.base_url}/alerts/{site.alert_id}")
    buttons = browser.find_elements(By.CSS_SELECTOR, "#steps button")
    assert buttons, "the open alert's checklist has 完成 Done buttons"
    line = (  # "normal" line height: about 1.2 of the font size
        "const s = getComputedStyle(arguments[0]), lh = parseFloat(s.lineHeight);"
        "return isNaN(lh) ? 1.2 * parseFloat(s.fontSize) : lh"
    )
    for button in buttons:  # a button broken one character a line is a column of letters
        height, one = button.size["height"], browser.execute_script(line, button)
        assert height < 2 * one + 18, f"{button.text!r} is {height} px tall ({one} px a line)"
    for due in browser.find_elements(By.CSS_SELECTOR, "#steps td.due"):
        height, one = due.size["height"], browser.execute_script(line, due)
        assert height < 1.9 * one, f"the due time {due.text!r} wraps: {height} px ({one} px a line)"
    page, screen = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert page <= screen, f"the alert page is {page} px wide on a {screen} px screen"
