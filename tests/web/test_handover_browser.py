"""Handing an alert over in a real browser (Chromium, headless): choose, say why, click, see it land.

Needs Debian's ``chromium`` and ``chromium-driver``; without them the test skips with the reason,
and in CI (CI=true) it fails instead — as tests/web/test_browser.py.
"""

from __future__ import annotations

from web_site import Site

from monitor.store.models import Alert


def test_hand_the_alert_over_by_choosing_a_spokesperson(site: Site, browser: object) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    assert isinstance(browser, WebDriver)
    browser.get(site.link("view"))
    button = browser.find_element(By.CSS_SELECTOR, 'button[value="handover"]')
    button.click()  # nobody chosen yet: the browser asks for a choice and sends nothing
    assert not browser.current_url.endswith("?done=handover")
    Select(browser.find_element(By.ID, "handover_to")).select_by_value("wang_qiang")
    browser.find_element(By.ID, "handover_note").send_keys("休假到周一")
    browser.find_element(By.CSS_SELECTOR, 'button[value="handover"]').click()
    wait = WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,))
    wait.until(
        lambda d: (
            d.current_url.endswith("?done=handover")
            and d.execute_script("return document.readyState") == "complete"
        )
    )
    flash = str(wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".flash").text))
    assert flash.startswith("已转交 Handed over")
    clocks = browser.find_element(By.XPATH, "//h2[contains(., 'Clocks')]/following-sibling::table[1]").text
    assert "王强（客服总监） (备岗 Backup 李娜（公关部发言人）)" in clocks
    trail = browser.find_element(By.XPATH, "//h2[contains(., 'Trail')]/following-sibling::table[1]").text
    assert "handed_over li_na (web link) li_na -> wang_qiang: 休假到周一" in trail
    alert = site.sessions().get(Alert, site.alert_id)
    assert alert is not None and alert.spokesperson == "wang_qiang"
