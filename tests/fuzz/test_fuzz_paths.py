"""Every route, by every method, with hostile path segments, query strings, headers and bodies:
the routing edge answers with the documented error, never a 5xx. (What each route does with a
good request is fuzzed in the other files.)"""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.budget import budget
from tests.fuzz.hostile import raw_strategy
from tests.fuzz.support import console_answer, echo_answer, oseo_answer, search_answer, soap_answer

ROUTES = [
    "/health",
    "/browse/{0}/{1}",
    "/echo/{0}",
    "/soap",
    "/search/{0}",
    "/oseo",
    "/{0}",
    "/echo/perform/{0}",
    "/search/{0}.{1}",
]
SEGMENTS = [
    "FUZZP",
    "collections",
    "granules",
    "login",
    "perform",
    "b1.png",
    "..",
    "%2e%2e",
    "json",
    "xml",
    "",
    "a" * 300,
]
CONTENT_TYPES = [
    None,
    "application/xml",
    "text/xml",
    "application/soap+xml",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


@budget(100)
@given(data=st.data())
def test_routes_never_crash(client, world, data):
    segment = st.one_of(st.sampled_from(SEGMENTS), raw_strategy("path"))
    route = data.draw(st.sampled_from(ROUTES), label="route")
    parts = [quote(data.draw(segment), safe="", errors="surrogatepass") for _ in range(2)]
    path = route.format(*parts)
    if data.draw(st.booleans()):
        path += "?" + quote(data.draw(raw_strategy("query")), safe="=&", errors="surrogatepass")
    method = data.draw(st.sampled_from(METHODS), label="method")
    token = data.draw(st.sampled_from(sorted(world.tokens)), label="caller")
    headers = {"Echo-Token": world.tokens[token]} if world.tokens[token] else {}
    content_type = data.draw(st.sampled_from(CONTENT_TYPES), label="content type")
    body = data.draw(st.binary(max_size=64), label="body")
    response = client.open(
        path, method=method, headers=headers, data=body, content_type=content_type
    )
    if method == "HEAD":
        assert response.status_code < 500, response.status_code
    elif route == "/oseo" and method == "POST":
        oseo_answer(response)
    elif route == "/soap" and method == "POST":
        soap_answer(response)
    elif response.status_code >= 400 and response.request.path.startswith("/search/"):
        search_answer(response)  # the search API answers in CMR's error shape
    elif response.status_code >= 400 and response.mimetype == "text/html":
        console_answer(response)  # the web console's pages answer with a page
    elif response.status_code >= 400:
        echo_answer(response)
    else:
        assert response.status_code < 300, response.status_code
