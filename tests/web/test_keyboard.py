"""The alert page worked with the keyboard alone, in a real browser (Chromium, headless).

A spokesperson on a laptop, or one who cannot use a mouse, works an alert with Tab and Enter:
every control of the page is reached in the order it is read, shows where the focus is, and
does what a click does (WCAG 2.1.1 keyboard, 2.4.3 focus order, 2.4.7 focus visible).
Skipped without Chromium and chromedriver; failed instead in CI (``CI=true``).
"""

from __future__ import annotations

from web_site import Site

from monitor.store.models import Alert

# what the focused element shows: an outline or a ring drawn with box-shadow, not neither
_FOCUS_SHOWN = """
const el = document.activeElement;
const style = getComputedStyle(el);
const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
return outline || (style.boxShadow && style.boxShadow !== 'none');
"""
# the focused element, as "tag|value|name|top": which control, and where on the page
_FOCUSED = """
const el = document.activeElement;
const box = el.getBoundingClientRect();
return [el.tagName.toLowerCase(), el.value || '', el.name || el.id || '',
        Math.round(box.top + window.scrollY)].join('|');
"""


def _tab_through(browser: object) -> list[tuple[str, str, str, int, bool]]:
    """Press Tab from the top of the page until the focus leaves it; each control reached, in order,
    as (tag, value, name, top, focus shown)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    reached: list[tuple[str, str, str, int, bool]] = []
    for _ in range(80):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        tag, value, name, top = str(browser.execute_script(_FOCUSED)).split("|")
        if tag in ("body", "html"):  # past the last control
            break
        entry = (tag, value, name, int(top), bool(browser.execute_script(_FOCUS_SHOWN)))
        if reached and entry[:3] == reached[0][:3]:  # back at the first: the browser cycled
            break
        reached.append(entry)
    return reached


def _alert(site: Site) -> Alert:
    alert = site.sessions().get(Alert, site.alert_id)
    assert alert is not None
    return alert


def test_every_control_of_the_alert_page_is_reached_in_reading_order_with_its_focus_shown(
    site: Site, browser: object
) -> None:
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.get(site.link("view"))
    reached = _tab_through(browser)
    values = [value for _, value, _, _, _ in reached]
    for action in ("ack", "tick", "resolve"):
        assert action in values, f"{action} is not reached with Tab: {reached}"
    assert any(tag == "textarea" or name == "note" for tag, _, name, _, _ in reached)
    hidden = [entry for entry in reached if not entry[4]]
    assert hidden == [], f"focus not shown on {hidden}"
    tops = [top for _, _, _, top, _ in reached]
    assert tops == sorted(tops), f"Tab does not follow the page from top to bottom: {reached}"


def test_acknowledge_and_tick_a_step_with_the_keyboard_alone(site: Site, browser: object) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.wait import WebDriverWait

    assert isinstance(browser, WebDriver)
    browser.get(site.link("view"))

    def press_enter_on(action: str) -> None:
        for _ in range(80):
            ActionChains(browser).send_keys(Keys.TAB).perform()
            if browser.execute_script("return document.activeElement.value") == action:
                break
        else:
            raise AssertionError(f"no {action} control reached with Tab")
        ActionChains(browser).send_keys(Keys.ENTER).perform()
        WebDriverWait(browser, 10).until(lambda d: f"done={action}" in d.current_url)

    press_enter_on("ack")
    assert _alert(site).acknowledged_by == "li_na (web link)"
    press_enter_on("tick")
    assert _alert(site).checklist[0].done_by == "li_na (web link)"
