"""The web console in a real browser (Chromium headless, Selenium) against the application served
on loopback: the scenarios of issue 22's "Done when"."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import etree
from selenium.common.exceptions import (
    NoAlertPresentException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from clearinghouse.accounts.models import Provider
from ingest import scan
from ingest.ftp import make_server
from partner_sim import Behaviour, PartnerSimulator
from tests.api_support import PASSWORD
from tests.broker_support import drain
from tests.browser_support import DESKTOP, PHONE, chromium, wait
from tests.console_support import ConsoleSite
from tests.dropbox_support import connect, granule_file, upload
from tests.server_support import served

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
#: Pixels per degree of the shipped map at its first zoom (EPSG:4326, 512 px round the world).
PER_DEGREE = 512 / 360


@pytest.fixture(scope="module")
def sim():
    with PartnerSimulator() as simulator:
        yield simulator


@pytest.fixture(scope="module")
def site(database_url, sim):
    site = ConsoleSite(database_url)
    sim.add_partner(site.provider, Behaviour())
    try:
        site.build(endpoint=sim.url(site.provider))
        yield site
    finally:
        site.close()


@pytest.fixture(scope="module")
def url(site):
    with served(site.db, site.settings) as base:
        yield base


@pytest.fixture(scope="module")
def browser_session():
    with chromium(DESKTOP) as driver:
        yield driver


@pytest.fixture
def browser(browser_session, url):
    browser_session.get(url + "/console/static/console.css")  # on the site, to drop its cookies
    browser_session.delete_all_cookies()
    browser_session.set_window_size(*DESKTOP)
    return browser_session


def log_in(browser, url: str, username: str, provider: str = "") -> None:
    browser.get(url + "/login")
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    if provider:
        browser.find_element(By.ID, "provider").send_keys(provider)
    press(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"))
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".who"), "not logged in")


def click_map(browser, lon: float, lat: float) -> None:
    """A click at a longitude and latitude of the map as it first shows (centred on 0°, 0°)."""
    node = browser.find_element(By.ID, "map")
    ActionChains(browser).move_to_element_with_offset(
        node, round(lon * PER_DEGREE), round(-lat * PER_DEGREE)
    ).click().perform()


def press(browser, button) -> None:
    """Click a button that submits a form, and wait for the page that answers it."""
    page = browser.find_element(By.TAG_NAME, "html")
    button.click()
    wait(browser, lambda _: _replaced(page), "the form's answer did not come")


def _replaced(element) -> bool:
    """Whether the page holding ``element`` has been replaced. Chromedriver 156 says so either as
    a stale element or as a node that "does not belong to the document", depending on timing."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in (error.msg or ""):
            return True
        raise
    return False


def map_ready(browser) -> None:
    wait(browser, lambda d: d.execute_script("return document.documentElement.dataset.mapReady"))


def test_drawing_a_box_across_the_antimeridian_finds_and_draws_the_right_footprint(
    browser, url, site
):
    browser.get(f"{url}/?provider={site.provider}")
    map_ready(browser)
    browser.find_element(By.ID, "draw-box").click()
    click_map(browser, 160, -5)
    click_map(browser, -160, 5)
    box = browser.find_element(By.ID, "f-bounding_box").get_attribute("value")
    west, south, east, north = (float(v) for v in box.split(","))
    assert west > 150 and east < -150 and south < 0 < north  # west of east: across ±180
    press(browser, browser.find_element(By.ID, "search-button"))
    wait(browser, lambda d: d.find_elements(By.ID, "granules"), "no results")
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#granules .title")]
    assert titles == [f"{site.provider}.DATELINE"]
    assert "bounding_box=" in browser.current_url  # the search is in the address, to share
    (item,) = browser.find_elements(By.CSS_SELECTOR, "#granules .granule")
    concept_id = item.get_attribute("data-id")
    paths = wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, f"path.footprint[data-id='{concept_id}']"),
        "the footprint is not drawn",
    )
    # Drawn as two pieces, one at each edge of the world (170°E to 180°, -180° to 170°W), not
    # as one band smeared across the map from 170°W to 170°E.
    (path,) = paths
    pieces = browser.execute_script(
        "return arguments[0].getAttribute('d').split('M').filter(Boolean).length", path
    )
    assert pieces == 2
    assert path.rect["width"] > 300 * PER_DEGREE  # its two pieces lie at opposite edges…
    pieces_width = browser.execute_script(
        "var b = [], d = arguments[0].getAttribute('d').split('M').filter(Boolean);"
        "d.forEach(function (p) { var xs = p.match(/-?[0-9.]+/g).filter(function (v, i) {"
        "return i % 2 === 0; }).map(Number); b.push(Math.max.apply(null, xs) -"
        "Math.min.apply(null, xs)); }); return b;",
        path,
    )
    assert all(width < 15 * PER_DEGREE for width in pieces_width)  # …and each is 10° wide
    # The box drawn as its two halves, at the two edges of the world.
    rectangles = browser.find_elements(By.CSS_SELECTOR, "#map path[stroke-dasharray]")
    assert len(rectangles) == 2


def test_drawing_a_polygon_searches_inside_it(browser, url, site):
    browser.get(f"{url}/?provider={site.provider}")
    map_ready(browser)
    browser.find_element(By.ID, "draw-polygon").click()
    for lon, lat in ((0, -10), (30, -10), (30, 20), (0, 20)):  # round the granule over Africa
        click_map(browser, lon, lat)
    browser.find_element(By.ID, "finish-polygon").click()
    ring = browser.find_element(By.ID, "f-polygon").get_attribute("value").split(",")
    assert len(ring) == 10 and ring[:2] == ring[-2:]  # closed
    press(browser, browser.find_element(By.ID, "search-button"))
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#granules .title")]
    assert titles == [f"{site.provider}.AFRICA"]


def test_words_typed_in_find_collections_ranked_and_their_granules(browser, url, site):
    browser.get(f"{url}/?provider={site.provider}")
    browser.find_element(By.ID, "f-q").send_keys("ocean")
    press(browser, browser.find_element(By.ID, "search-button"))
    collections = browser.find_elements(By.CSS_SELECTOR, "#collections .title")
    # "ocean" twice in the colour collection's names, once in the temperature one's.
    assert [a.text for a in collections] == [site.ocean_colour, site.sea_surface]
    # Granules of the collections found, though no granule's name says "ocean".
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#granules .title")]
    assert titles == [f"{site.provider}.SST"]
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "path.footprint"), "not drawn")
    press(browser, collections[1])
    assert browser.find_element(By.ID, "f-dataset_id").get_attribute("value") == site.sea_surface
    assert browser.find_element(By.ID, "f-q").get_attribute("value") == "ocean"
    # A granule's name typed in instead finds that granule and no collection.
    field = browser.find_element(By.ID, "f-q")
    field.clear()
    field.send_keys(f"{site.provider}.dateline")
    browser.find_element(By.ID, "f-dataset_id").clear()
    press(browser, browser.find_element(By.ID, "search-button"))
    assert not browser.find_elements(By.ID, "collections")
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#granules .title")]
    assert titles == [f"{site.provider}.DATELINE"]


def test_a_footprint_round_the_pole_is_drawn_as_the_cap_it_covers(browser, url, site):
    browser.get(f"{url}/?provider={site.provider}&q=POLAR")
    map_ready(browser)
    path = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "path.footprint"))
    world = browser.find_element(By.ID, "map").rect
    top_of_world = world["y"] + world["height"] / 2 - 90 * PER_DEGREE
    # From the pole itself down to about 75°N, right round the world: not a line along 75°N.
    assert abs(path.rect["y"] - top_of_world) < 3
    assert path.rect["width"] > 355 * PER_DEGREE
    assert 10 * PER_DEGREE < path.rect["height"] < 16 * PER_DEGREE


def test_a_granule_s_page_shows_its_browse_image_metadata_and_footprint(browser, url, site):
    browser.get(f"{url}/?provider={site.provider}&q=DATELINE")
    browser.find_element(By.CSS_SELECTOR, "#granules .title").click()
    image = wait(browser, lambda d: d.find_element(By.ID, "browse"))
    loaded = wait(
        browser,
        lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth", image
        ),
        "the browse image did not load",
    )
    assert loaded == 1
    assert f"{site.provider}.DATELINE" in browser.find_element(By.CSS_SELECTOR, "dl.fields").text
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "path.footprint"))


def test_an_order_with_a_choice_option_becomes_a_submitted_provider_order(browser, url, site):
    log_in(browser, url, site.buyer)
    browser.get(f"{url}/?provider={site.provider}&q=AFRICA")
    browser.find_element(By.CSS_SELECTOR, "#granules input[name=item]").click()
    press(browser, browser.find_element(By.ID, "order-button"))
    # The CHOICE as radio buttons; FTPPush's password an <input type=password>.
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "input[type=radio]"))
    radios = {
        r.get_attribute("value"): r
        for r in browser.find_elements(By.CSS_SELECTOR, "input[type=radio]")
    }
    assert set(radios) == {"FTPPush", "CD"}
    radios["FTPPush"].click()
    field = {
        e.get_attribute("name").rpartition("/")[2]: e
        for e in browser.find_elements(By.CSS_SELECTOR, "[name*='opt:MediaType/FTPPush/']")
    }
    assert field["Password"].get_attribute("type") == "password"
    field["FTPDir"].send_keys("/incoming")
    Select(field["Compressed"]).select_by_visible_text("GZip")
    press(browser, browser.find_element(By.ID, "create-order"))
    # Refused: the password is required; the server's words stand beside that field.
    error = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".field.invalid .error"))
    assert error.text == "required"
    beside = error.find_element(By.XPATH, "..").find_element(By.TAG_NAME, "input")
    assert beside.get_attribute("type") == "password"
    beside.send_keys("s3cret-Pa55")
    press(browser, browser.find_element(By.ID, "create-order"))
    guid = wait(browser, lambda d: d.find_element(By.ID, "order-id")).text
    press(browser, browser.find_element(By.ID, "step-quote"))
    assert browser.find_element(By.CSS_SELECTOR, "#order-status .state").text == "QUOTING"
    drain(site.db, site.settings)  # the partner simulator prices it
    wait(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, "#order-status .state").text == "QUOTED",
        "the provider order was not QUOTED",
    )
    assert browser.find_element(By.CSS_SELECTOR, "#order-status .quote").text == "10.00"
    press(browser, browser.find_element(By.ID, "step-submit"))
    state = browser.find_element(By.CSS_SELECTOR, "#order-status .state")
    assert state.text == "SUBMITTING"
    drain(site.db, site.settings)  # the broker sends the order to the partner simulator
    # The page follows the broker without being reloaded.
    wait(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, "#order-status .state").text == "PROCESSING",
        "the provider order did not become PROCESSING",
    )
    assert browser.find_element(By.ID, "order-id").text == guid
    assert "PROCESSING" in browser.find_element(By.ID, "history").text
    # Cancelled from the same page, and the partner's acceptance followed there too.
    press(browser, browser.find_element(By.ID, "step-cancel"))
    state = browser.find_element(By.CSS_SELECTOR, "#order-status .state")
    assert state.text == "CANCELLING"
    drain(site.db, site.settings)
    wait(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, "#order-status .state").text == "CANCELLED",
        "the provider order was not CANCELLED",
    )


@pytest.fixture
def ftp_port(site):
    server = make_server(site.settings, site.db)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        server.close_all()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield site.settings.ftp.port
    stop.set()
    thread.join(timeout=10)


def test_a_partner_sees_the_report_of_its_upload_with_the_error_s_line(
    browser, url, site, ftp_port
):
    content = granule_file(f"{site.provider}.OK", f"{site.provider}.ORPHAN", dataset=site.dataset)
    # The second granule names a collection that does not exist: an error at its line.
    tree = etree.fromstring(content)
    orphan = tree.findall(".//Granule")[1]
    orphan.find("Collection/DataSetId").text = "NO SUCH DATASET"
    content = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    line = etree.fromstring(content).findall(".//Granule")[1].sourceline
    ftp = connect(ftp_port, site.provider, "ftp password 1")
    upload(ftp, "data/granule", "nightly.xml", content)
    ftp.quit()
    taken = scan.scan(site.db, site.settings, site.provider)
    assert [t.file_name for t in taken] == ["nightly.xml"]
    log_in(browser, url, site.desk, site.provider)
    browser.get(url + "/partner")
    row = browser.find_element(By.XPATH, "//table[@id='jobs']//tr[td[1]='nightly.xml']")
    row.find_element(By.TAG_NAME, "a").click()
    wait(browser, lambda d: d.find_elements(By.ID, "counters"))
    counters = {
        dd.get_attribute("data-counter"): dd.text
        for dd in browser.find_elements(By.CSS_SELECTOR, "#counters dd")
    }
    assert (counters["processed"], counters["inserted"]) == ("2", "1")
    errors = browser.find_elements(By.CSS_SELECTOR, "#errors tbody tr")
    assert len(errors) == 1
    cells = [td.text for td in errors[0].find_elements(By.TAG_NAME, "td")]
    assert cells[0] == str(line) and "NO SUCH DATASET" in cells[3]


def test_an_operator_pauses_a_partner_s_ingest(browser, url, site):
    log_in(browser, url, site.admin)
    browser.get(url + "/operator")
    row = f"tr[data-provider='{site.provider}']"
    press(
        browser,
        browser.find_element(By.XPATH, f"//button[text()='Pause ingest of {site.provider}']"),
    )
    assert browser.find_element(By.CSS_SELECTOR, f"{row} .ingest-state").text == "paused"
    with site.db.session() as session:
        assert session.scalar(
            select(Provider.ingest_paused).where(Provider.provider_id == site.provider)
        )
    press(
        browser,
        browser.find_element(By.XPATH, f"//button[text()='Resume ingest of {site.provider}']"),
    )
    assert browser.find_element(By.CSS_SELECTOR, f"{row} .ingest-state").text == "running"


def test_a_guest_reaching_a_partner_page_is_shown_the_login_page(browser, url):
    browser.get(url + "/partner")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Log in"
    assert browser.find_element(By.NAME, "next").get_attribute("value") == "/partner"


def test_a_script_typed_into_a_search_field_is_shown_as_text_and_never_runs(browser, url):
    attack = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"
    browser.get(url + "/")
    browser.find_element(By.ID, "f-q").send_keys(attack)
    browser.find_element(By.ID, "f-platform").send_keys(attack)
    press(browser, browser.find_element(By.ID, "search-button"))
    wait(browser, lambda d: "search=1" in d.current_url)
    assert browser.title != "pwned"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert browser.find_element(By.ID, "f-q").get_attribute("value") == attack
    assert not browser.find_elements(By.CSS_SELECTOR, "main img[src='x']")


def test_a_form_with_a_forged_csrf_token_is_refused_with_403(browser, url, site):
    log_in(browser, url, site.admin)
    browser.get(url + "/operator")
    browser.execute_script(
        "document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'forged')"
    )
    press(
        browser,
        browser.find_element(By.XPATH, f"//button[text()='Pause ingest of {site.provider}']"),
    )
    assert browser.find_element(By.TAG_NAME, "h1").text == "403 · Forbidden"
    with site.db.session() as session:
        assert not session.scalar(
            select(Provider.ingest_paused).where(Provider.provider_id == site.provider)
        )


PAGES = {
    "search": "/?provider={provider}&bounding_box=160,-20,-160,20",
    "granule": None,  # found from the search
    "order-options": None,  # the chosen granule's options, before its order is made
    "login": "/login",
    "orders": "/orders",
    "partner": "/partner",
    "operator": "/operator",
}


def test_screenshots_of_each_page_at_desktop_and_phone_widths(browser, url, site):
    SCREENSHOTS.mkdir(exist_ok=True)
    log_in(browser, url, site.desk, site.provider)
    # The desk's user is a partner's; the operator page needs an administrator's session next.
    shots = []
    for who in ("desk", "admin"):
        if who == "admin":
            browser.delete_all_cookies()
            log_in(browser, url, site.admin)
        for name, path in PAGES.items():
            if (name == "operator") != (who == "admin"):
                continue
            if path is None:
                browser.get(f"{url}/?provider={site.provider}&q=DATELINE")
                found = browser.find_element(By.CSS_SELECTOR, "#granules .granule")
                concept_id = found.get_attribute("data-id")
                path = f"/orders/new?item={concept_id}"
                if name == "granule":
                    path = f"/granules/{concept_id}"
            for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
                browser.set_window_size(*size)
                browser.get(url + path.format(provider=site.provider))
                if browser.find_elements(By.ID, "map"):
                    map_ready(browser)
                target = SCREENSHOTS / f"{name}-{label}.png"
                browser.save_screenshot(str(target))
                shots.append(target)
    assert all(shot.stat().st_size > 5000 for shot in shots)
    assert len(shots) == 2 * len(PAGES)
