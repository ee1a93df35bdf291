"""The web console over HTTP (Flask's client on committed data): what its pages refuse, escape and
compute. What a browser must show is in test_console_browser."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from lxml import html
from shapely.geometry import Point, shape
from sqlalchemy import select

from clearinghouse.accounts.models import User
from clearinghouse.config import load_settings
from clearinghouse.errors import SettingsError
from clearinghouse.web import create_app
from clearinghouse.web.console.footprints import footprint
from ingest import dropbox
from ingest.models import FileKind
from tests.api_support import PASSWORD
from tests.console_support import console_site


@pytest.fixture(scope="module")
def site(database_url):
    # An endpoint that is never reached: no order here goes as far as being submitted.
    with console_site(database_url, endpoint="http://127.0.0.1:9/orders") as site:
        yield site


@pytest.fixture
def web(site):
    return create_app({"SETTINGS": site.settings, "DATABASE": site.db}).test_client()


def _csrf(client) -> str:
    page = html.fromstring(client.get("/login").data)
    return page.xpath("//input[@name='csrf_token']/@value")[0]


def _login(client, username: str, provider: str = "") -> None:
    answer = client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "provider": provider,
            "csrf_token": _csrf(client),
        },
    )
    assert answer.status_code == 303, answer.data


def _footprints(page: bytes) -> dict[str, dict]:
    tree = html.fromstring(page)
    shapes = json.loads(tree.get_element_by_id("footprints").text)
    ids = json.loads(tree.get_element_by_id("footprint-ids").text)
    return dict(zip(ids, shapes, strict=True))


def _longitudes(geometry: dict) -> list[list[float]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return [[x for x, _ in polygon[0]] for polygon in polygons]


def test_a_box_across_the_antimeridian_finds_the_footprint_cut_there(web, site):
    page = web.get(f"/?provider={site.provider}&bounding_box=160,-5,-160,5")
    assert page.status_code == 200
    found = _footprints(page.data)
    assert [site.provider + ".DATELINE"] == [web_id_title(page.data, i) for i in found]
    pieces = _longitudes(next(iter(found.values())))
    # Two pieces, one each side of ±180, neither spanning the map.
    assert sorted((min(p), max(p)) for p in pieces) == [(-180, -170), (170, 180)]


def web_id_title(page: bytes, concept_id: str) -> str:
    tree = html.fromstring(page)
    return tree.xpath(f"//li[@data-id='{concept_id}']//a[@class='title']/text()")[0]


def test_a_polar_cap_is_drawn_closed_along_the_pole_not_across_the_map():
    # A ring round the north pole as PostGIS gives it (no planar drawing exists for it).
    ring = [[0, 75], [90, 75], [180, 75], [-90, 75], [0, 75]]
    drawn = footprint(None, json.dumps({"type": "Polygon", "coordinates": [ring]}))
    polygons = drawn["coordinates"] if drawn["type"] == "MultiPolygon" else [drawn["coordinates"]]
    latitudes = [y for polygon in polygons for _, y in polygon[0]]
    longitudes = [x for polygon in polygons for x, _ in polygon[0]]
    assert max(latitudes) == 90 and min(latitudes) >= 74.9
    assert min(longitudes) == -180 and max(longitudes) == 180
    # Drawn naively the ring would be a sliver along 75°N: the cap covers the pole's side of it
    # (its great-circle edges bow poleward, up to 80°N between the corners).
    cap = shape(drawn)
    for lon in (-179, -135, -45, 1, 45, 135, 179):
        assert cap.contains(Point(lon, 89)) and cap.contains(Point(lon, 81))
        assert not cap.contains(Point(lon, 74))


def test_the_polar_granule_of_the_catalog_is_drawn_round_its_pole(web, site):
    page = web.get(f"/?provider={site.provider}&q=POLAR")
    (drawn,) = _footprints(page.data).values()
    latitudes = [y for polygon in drawn["coordinates"] for _, y in polygon[0]]
    assert max(latitudes) == 90


def test_a_script_typed_into_a_search_field_comes_back_as_text(web):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    page = web.get("/", query_string={"q": attack, "bounding_box": attack})
    assert page.status_code == 200
    assert b"<script>alert" not in page.data and b"<img src=x" not in page.data
    tree = html.fromstring(page.data)
    assert tree.get_element_by_id("f-q").get("value") == attack
    # The refusal of the box is shown beside the box field, and escaped too.
    error = tree.get_element_by_id("e-bounding_box").text_content()
    assert "bounding_box" in error
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_state_change_without_this_browser_s_csrf_token_is_403(web, site, token):
    _csrf(web)  # the browser has its cookie; the forged request does not echo it
    data = {"username": site.buyer, "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    answer = web.post("/login", data=data)
    assert answer.status_code == 403
    assert b"security token" in answer.data
    assert web.get_cookie("ch_session") is None


def test_the_session_cookie_is_httponly_and_samesite(web, site):
    _login(web, site.buyer)
    cookie = web.get_cookie("ch_session")
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("path", ["/partner", "/operator", "/orders"])
def test_a_guest_reaching_a_member_page_gets_the_login_page(web, path):
    answer = web.get(path)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/login?next=" + path)


def test_a_partner_never_sees_another_partner_s_report(web, site):
    home = dropbox.ensure(site.settings.dropbox_dir, site.provider)
    (home / dropbox.FOLDERS[FileKind.GRANULE] / "tonight.xml").write_bytes(b"<x/>")
    _login(web, site.desk, site.provider)
    page = html.fromstring(web.get("/partner").data)
    reports = page.xpath("//a[starts-with(@href, '/partner/reports/')]/@href")
    assert len(reports) == 3
    counts = page.xpath(f"//section[@id='collections']//tr[td[1]='{site.dataset}']/td[4]/text()")
    assert counts == ["3"]
    waiting = page.xpath("//section[@id='dropbox']//tbody/tr/td/text()")
    assert waiting == ["granule", "tonight.xml", "4"]
    other = create_app({"SETTINGS": site.settings, "DATABASE": site.db}).test_client()
    _login(other, site.other_desk, site.other)
    other_page = html.fromstring(other.get("/partner").data)
    assert "tonight.xml" not in other_page.text_content()
    for link in reports:
        assert web.get(link).status_code == 200
        assert other.get(link).status_code == 404
    assert other.get("/operator").status_code == 403


def test_a_login_for_a_provider_one_may_not_act_for_is_refused_and_leaves_no_session(web, site):
    answer = web.post(
        "/login",
        data={
            "username": site.buyer,
            "password": PASSWORD,
            "provider": site.provider,
            "csrf_token": _csrf(web),
        },
    )
    assert answer.status_code == 401
    assert site.provider in html.fromstring(answer.data).get_element_by_id("login-error").text
    assert web.get("/orders").status_code == 303


def test_the_server_s_option_problems_are_shown_beside_their_fields(web, site):
    _login(web, site.buyer)
    granule = _granule_id(web, site, "AFRICA")
    form = html.fromstring(web.get("/orders/new", query_string={"item": granule}).data)
    assert form.xpath(f"//input[@name='{granule}|opt:MediaType/FTPPush/Password']/@type") == [
        "password"
    ]
    assert form.xpath(
        f"//select[@name='{granule}|opt:MediaType/FTPPush/Compressed']/option/@value"
    ) == ["", "UnixCompress", "GZip"]
    answer = web.post(
        "/orders",
        data={
            "csrf_token": _csrf(web),
            "item": granule,
            f"{granule}|choice:MediaType": "FTPPush",
            f"{granule}|opt:MediaType/FTPPush/FTPDir": "/in",
            f"{granule}|opt:MediaType/FTPPush/Compressed": "GZip",
        },
    )
    assert answer.status_code == 400
    tree = html.fromstring(answer.data)
    field = f"//input[@name='{granule}|opt:MediaType/FTPPush/Password']"
    assert [p.text_content() for p in tree.xpath(f"{field}/../p[@class='error']")] == ["required"]
    # What was typed stays, but never a password.
    assert tree.xpath(f"//input[@name='{granule}|opt:MediaType/FTPPush/FTPDir']/@value") == ["/in"]
    assert tree.xpath(f"{field}/@value") == []


def _granule_id(web, site, suffix: str) -> str:
    page = html.fromstring(web.get(f"/?provider={site.provider}&q={suffix}").data)
    return page.xpath("//li[@class='granule']/@data-id")[0]


def test_an_operator_sets_a_user_s_roles_and_unlocks_a_locked_account(web, site):
    with site.db.session() as session:
        user = session.scalar(select(User).where(User.username == site.other_desk))
        user.locked_until = datetime.now(UTC) + timedelta(hours=1)
        user.failed_logins = 9
    _login(web, site.admin)
    page = html.fromstring(web.get("/operator").data)
    unlock = page.xpath(f"//button[text()='Unlock {site.other_desk}']")
    assert len(unlock) == 1
    action = f"/operator/users/{site.other_desk}"
    answer = web.post(action, data={"csrf_token": _csrf(web), "unlock": "1"})
    assert answer.status_code == 303
    answer = web.post(
        action, data={"csrf_token": _csrf(web), "roles": f"{site.other}, {site.provider}"}
    )
    assert answer.status_code == 303
    refused = web.post(action, data={"csrf_token": _csrf(web), "roles": "NO_SUCH_PROVIDER"})
    assert refused.status_code == 404
    assert b"NO_SUCH_PROVIDER" in refused.data
    with site.db.session() as session:
        user = session.scalar(select(User).where(User.username == site.other_desk))
        assert user.locked_until is None and user.failed_logins == 0
        assert sorted(p.provider_id for p in user.providers) == sorted([site.other, site.provider])
        user.providers = [p for p in user.providers if p.provider_id == site.other]


@pytest.mark.parametrize(
    "value", ["tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/{z}/{x}.png"]
)
def test_a_tile_url_that_is_not_a_tile_template_is_refused_naming_the_variable(value):
    with pytest.raises(SettingsError) as info:
        load_settings({"CLEARINGHOUSE_CONSOLE_TILES": value})
    assert str(info.value).startswith("CLEARINGHOUSE_CONSOLE_TILES: ")
    assert "{z}, {x} and {y}" in str(info.value)


def test_a_tile_url_puts_the_map_on_those_tiles(site):
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings = dataclasses.replace(site.settings, console_tiles=tiles)
    page = create_app({"SETTINGS": settings, "DATABASE": site.db}).test_client().get("/")
    assert html.fromstring(page.data).get_element_by_id("map").get("data-tiles") == tiles


def test_a_csrf_token_from_one_session_is_refused_in_another(site):
    app = create_app({"SETTINGS": site.settings, "DATABASE": site.db})
    mine, theirs = app.test_client(), app.test_client()
    _login(mine, site.admin)
    _login(theirs, site.admin)
    my_token = _csrf(mine)
    # Even with this browser's nonce planted in the other (a cookie another site may inject),
    # the token stands for its own session alone.
    theirs.set_cookie("ch_csrf", mine.get_cookie("ch_csrf").value)
    action = f"/operator/providers/{site.provider}/ingest"
    refused = theirs.post(action, data={"csrf_token": my_token, "paused": "false"})
    assert refused.status_code == 403
    assert b"security token" in refused.data
    own = theirs.post(action, data={"csrf_token": _csrf(theirs), "paused": "false"})
    assert own.status_code == 303
    assert mine.post(action, data={"csrf_token": my_token, "paused": "false"}).status_code == 303
    # Logging out ends the token with the session.
    mine.post("/logout", data={"csrf_token": my_token})
    assert mine.post(action, data={"csrf_token": my_token}).status_code == 403


def _error_page(answer, status: int) -> html.HtmlElement:
    assert answer.status_code == status
    assert answer.mimetype == "text/html"
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    page = html.fromstring(answer.data)
    assert page.xpath("//h1/text()")[0].startswith(f"{status} · ")
    return page


def test_console_pages_answer_errors_with_html_pages_the_other_doors_keep_their_own(web, site):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = _error_page(web.get("/no/such/page", headers=browser), 404)
    assert page.get_element_by_id("error-message").text
    # A program asking for no HTML keeps the XML error of the other doors.
    assert web.get("/no/such/page").data.startswith(b"<?xml")
    echo = web.get("/echo/no-such-thing", headers=browser)
    assert echo.status_code == 404 and echo.mimetype == "application/xml"
    _error_page(web.get("/logout", headers=browser), 405)
    _error_page(web.get("/granules/G1-NOBODY"), 404)
    _login(web, site.buyer)
    page = _error_page(web.get("/operator"), 403)
    assert page.get_element_by_id("error-message").text == "this page is for administrators"
    # A 400 with the server's own message.
    answer = web.post("/orders", data={"csrf_token": _csrf(web), "item": "nonsense"})
    message = _error_page(answer, 400).get_element_by_id("error-message").text
    assert message.startswith("CatalogItemId: 'nonsense' is not a catalog item id")
    echo = web.get("/echo/no-such-thing")
    assert echo.status_code == 404 and echo.mimetype == "application/xml"
    assert echo.data.startswith(b"<?xml") and b"<Code>NotFound</Code>" in echo.data
    searched = web.get("/search/no-such-thing.json")
    assert searched.status_code == 404 and searched.mimetype == "application/json"
    assert "errors" in json.loads(searched.data)
    oseo = web.get("/oseo")
    assert oseo.status_code == 405 and oseo.data.startswith(b"<?xml")


def test_an_unexpected_failure_on_a_console_page_is_a_500_page_naming_the_request(site):
    app = create_app({"SETTINGS": site.settings, "DATABASE": site.db})

    def broken():
        raise RuntimeError("a fault of the server's own")

    # A page of the console's (its endpoint under the blueprint) whose code is at fault.
    app.add_url_rule("/broken-for-the-test", "console.broken_for_the_test", broken)
    answer = app.test_client().get("/broken-for-the-test")
    page = _error_page(answer, 500)
    request_id = answer.headers["X-Request-Id"]
    assert page.get_element_by_id("request-id").text == request_id
    assert request_id in page.get_element_by_id("error-message").text
    assert b"a fault of the server" not in answer.data and b"Traceback" not in answer.data


def _titles(page: html.HtmlElement, section: str) -> list[str]:
    return page.xpath(f"//*[@id='{section}']//a[@class='title']/text()")


def test_the_free_text_finds_collections_by_keyword_ranked_and_their_granules(web, site):
    answer = web.get("/", query_string={"provider": site.provider, "q": "ocean"})
    page = html.fromstring(answer.data)
    # Ranked: "ocean" twice in one collection's names, once in the other's.
    assert _titles(page, "collections") == [site.ocean_colour, site.sea_surface]
    scores = [int(s) for s in page.xpath("//*[@id='collections']//li/@data-score")]
    assert scores[0] > scores[1] > 0
    # The granule of a collection found, though its own name says nothing of oceans.
    assert _titles(page, "granules") == [f"{site.provider}.SST"]
    # A collection's link narrows the search to it, the text kept.
    link = page.xpath("//*[@id='collections']//a[@class='title']/@href")[1]
    narrowed = html.fromstring(web.get(link).data)
    assert narrowed.get_element_by_id("f-dataset_id").get("value") == site.sea_surface
    assert narrowed.get_element_by_id("f-q").get("value") == "ocean"
    assert _titles(narrowed, "granules") == [f"{site.provider}.SST"]


def test_a_granule_s_name_typed_in_finds_that_granule_and_no_collection(web, site):
    page = html.fromstring(web.get("/", query_string={"q": f"{site.provider}.dateline"}).data)
    assert _titles(page, "collections") == []
    assert _titles(page, "granules") == [f"{site.provider}.DATELINE"]
    # Every word must be there, as CMR's keyword: none of these collections holds both.
    page = html.fromstring(
        web.get("/", query_string={"provider": site.provider, "q": "ocean swaths"}).data
    )
    assert _titles(page, "collections") == [] and _titles(page, "granules") == []


def test_free_text_the_keyword_refuses_is_shown_beside_the_text_field(web):
    page = html.fromstring(web.get("/", query_string={"q": '"sea" "ocean"'}).data)
    assert page.get_element_by_id("e-q").text.startswith("keyword: one phrase in double quotes")


def _new_order(web, site) -> str:
    granule = _granule_id(web, site, "AFRICA")
    answer = web.post(
        "/orders",
        data={
            "csrf_token": _csrf(web),
            "item": granule,
            f"{granule}|choice:MediaType": "CD",
            f"{granule}|opt:MediaType/CD/Copies": "1",
        },
    )
    assert answer.status_code == 303, answer.data
    return answer.headers["Location"].rpartition("/")[2]


def test_an_address_added_on_the_order_page_can_be_chosen_and_refusals_stand_beside_fields(
    web, site
):
    _login(web, site.buyer)
    guid = _new_order(web, site)
    action = f"/orders/{guid}/addresses/new"
    address = {"AddressId": "home", "Usage": "SHIPPING", "Street1": "1 Main St", "City": "Lanham"}
    # The service's own refusals, each beside the field its path names; what was typed stays.
    refused = web.post(action, data={**address, "Street1": "  ", "csrf_token": _csrf(web)})
    assert refused.status_code == 400
    page = html.fromstring(refused.data)
    assert page.get_element_by_id("addr-Street1-error").text == "must not be empty"
    assert page.get_element_by_id("addr-City").get("value") == "Lanham"
    refused = web.post(action, data={**address, "Zip": "9" * 41, "csrf_token": _csrf(web)})
    assert refused.status_code == 400
    error = html.fromstring(refused.data).get_element_by_id("addr-Zip-error").text
    assert error == "at most 40 characters, not 41"
    added = web.post(action, data={**address, "csrf_token": _csrf(web)})
    assert added.status_code == 200
    page = html.fromstring(added.data)
    assert page.xpath("//p[@class='notice']/text()") == ["address home added"]
    choices = page.xpath("//select[@id='ShippingAddressId']/option/@value")
    assert choices == ["", "home"]
    # The same name again: a conflict, beside the name.
    again = web.post(action, data={**address, "csrf_token": _csrf(web)})
    assert again.status_code == 409
    error = html.fromstring(again.data).get_element_by_id("addr-AddressId-error").text
    assert "home" in error
    chosen = web.post(
        f"/orders/{guid}/addresses",
        data={"ShippingAddressId": "home", "csrf_token": _csrf(web)},
    )
    assert chosen.status_code == 200
    orders = site.perform_as(
        site.buyer,
        "OrderEntryService",
        f"<GetOrdersRequest><OrderId>{guid}</OrderId></GetOrdersRequest>",
    )
    shipping = orders.find(".//UserInformation/ShippingAddress")
    assert "1 Main St" in [e.text for e in shipping]
