"""GET /search/collections and /search/granules, fuzzed: CMR parameter sets that work (those of
tests/test_catalog_http.py), their parameters dropped, doubled, reordered, renamed and given
hostile values, and CMR-Search-After tokens given, edited and forged. Never a 5xx."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearinghouse.catalog.cmr import KNOWN
from tests.fuzz.budget import budget
from tests.fuzz.hostile import raw_strategy
from tests.fuzz.support import search_answer

SPRING = "2020-02-01T00:00:00Z,2020-03-31T00:00:00Z"
COMMON = [
    [("short_name", "ast_l1a")],
    [("short_name", "ast_l1a"), ("options[short_name][ignore_case]", "false")],
    [("short_name", "C*"), ("options[short_name][pattern]", "true")],
    [("platform", "TERRA"), ("instrument", "MODIS"), ("options[platform][and]", "true")],
    [("bounding_box", "170,49,-170,51")],
    [("bounding_box", "-180,49,-179.5,50.5"), ("page_size", "2")],
    [("bounding_box", "-180,-90,180,90")],  # the whole Earth, and pole to pole
    [("bounding_box", "0,-90,10,90"), ("point", "0,90")],
    [("polygon", "11,1,14,1,14,4,11,4,11,1")],
    [("point", "0.5,0.5")],
    [("circle", "12.5,2.5,50000")],
    [("line", "0,0,10,10,20,0")],
    [("temporal", SPRING)],
    [("temporal", "2019-01-01T00:00:00Z,2021-01-01T00:00:00Z,32,90")],
    [("concept_id", "C1-PODAAC"), ("concept_id", "C2-MADEUP")],
    [("updated_since", "2019-01-01T00:00:00Z"), ("page_size", "1")],
    [("provider", "MADEUP"), ("online_only", "true"), ("browse_only", "false")],
    [("dataset_id", "DS 1"), ("entry_title", "DS 1"), ("version", "1")],
    [
        ("processing_level_id", "1"),
        ("archive_center", "x"),
        ("campaign", "c"),
        ("sensor", "s"),
        ("spatial_keyword", "k"),
    ],
]
GRANULES = [
    [("dataset_id", "DS 1"), ("cloud_cover", "30,70")],
    [("dataset_id", "DS 1"), ("day_night_flag", "night")],
    [("granule_ur", "MADE.3")],
    [
        ("granule_ur", "MADE.*"),
        ("options[granule_ur][pattern]", "true"),
        ("options[granule_ur][ignore_case]", "true"),
    ],
    [("producer_granule_id", "prod-1.hdf")],
    [("concept_id", "G1-MADEUP")],
    [("production_date", SPRING)],
    [("equator_crossing_longitude", "170,-160")],
    [("equator_crossing_date", "2020-03-01T00:00:00Z,")],
    [("cloud_cover", "10,"), ("page_size", "50")],
    [("orbit_number", "1000,1002"), ("equator_crossing_longitude[minValue]", "-10")],
    [("orbit_number[value]", "1005"), ("equator_crossing_start_date", "2020-03-01T00:00:00Z")],
]
SEEDS = {"collections": COMMON, "granules": COMMON + GRANULES}
NAMES = [
    *sorted(KNOWN),
    "options[short_name][pattern]",
    "options[granule_ur][ignore_case]",
    "options[platform][and]",
    "options[x][y]",
    "options[",
    "colour",
    "page_num",
    "sort_key",
    "",
    "short_name[]",
]
EVERY_PAIR = sorted({pair for seeds in SEEDS.values() for seed in seeds for pair in seed})


@st.composite
def parameters(draw, target: str) -> list[tuple[str, str]]:
    params = list(draw(st.sampled_from(SEEDS[target])))
    for what in draw(
        st.lists(st.sampled_from(["drop", "double", "order", "value", "name", "add"]), max_size=4)
    ):
        if not params and what != "add":
            continue
        at = draw(st.integers(0, max(0, len(params) - 1)))
        if what == "drop":
            del params[at]
        elif what == "double":
            params.insert(at, params[at])
        elif what == "order":
            params = [params[i] for i in draw(st.permutations(range(len(params))))]
        elif what == "value":
            name = params[at][0]
            params[at] = (name, draw(raw_strategy(name)))
        elif what == "name":
            params[at] = (
                draw(st.one_of(st.sampled_from(NAMES), raw_strategy("name"))),
                params[at][1],
            )
        else:
            params.append(draw(st.sampled_from(EVERY_PAIR)))
    return params


def _token(key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


KEYS = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(["2020-01-10T00:00:00Z", "10000-01-01T00:00:00Z", "\x00", "²"]),
    ),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=8,
)


@st.composite
def search_after(draw, valid: list[str]) -> str | None:
    kind = draw(st.sampled_from(["none", "valid", "edited", "forged", "text"]))
    if kind == "none":
        return None
    if kind == "valid":
        return draw(st.sampled_from(valid))
    if kind == "edited":
        token = draw(st.sampled_from(valid))
        at = draw(st.integers(0, len(token)))
        return token[:at] + draw(st.sampled_from(["", "A", "_", "=", "%", "é"])) + token[at + 1 :]
    if kind == "forged":
        return _token(draw(st.one_of(KEYS, st.lists(KEYS, max_size=6))))
    return draw(raw_strategy("CMR-Search-After").filter(lambda t: not set(t) & set("\r\n")))


@pytest.fixture
def tokens(client, catalog) -> list[str]:
    """CMR-Search-After values the server gave, one per target and format."""
    out = []
    for target in ("collections", "granules"):
        response = client.get(f"/search/{target}.json?page_size=1")
        out.append(response.headers["CMR-Search-After"])
    return out


SUFFIXES = ["", ".json", ".xml", ".echo10", ".atom", ".csv", ".kml"]
ACCEPTS = [None, "application/json", "*/*", "text/html;q=0.5", "application/echo10+xml", "text/csv"]


@pytest.mark.parametrize("target", ["collections", "granules"])
@budget(100)
@given(data=st.data())
def test_search_parameters_never_crash(client, catalog, tokens, target, data):
    params = data.draw(parameters(target), label="params")
    suffix = data.draw(st.sampled_from(SUFFIXES), label="suffix")
    accept = data.draw(st.sampled_from(ACCEPTS), label="Accept")
    after = data.draw(search_after(tokens), label="CMR-Search-After")
    headers = {k: v for k, v in (("Accept", accept), ("CMR-Search-After", after)) if v}
    query = urlencode(params, errors="surrogatepass")
    response = client.get(f"/search/{target}{suffix}?{query}", headers=headers)
    search_answer(response)


#: The hostile values every parameter gets in the sweep below, whatever the random draws reach.
SWEEP = [
    "",
    "\x00",
    "a\x00b",
    "²",
    "①",
    "٣",
    "NaN",
    "inf",
    "1e309",
    "9" * 40,
    "-1",
    "0000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "<&>",
    "x" * 5000,
    "\ud800",
    "%",
    "\u202e",
    "1,2,3,4,5,6,7,8,9",
]


@pytest.mark.parametrize("target", ["collections", "granules"])
def test_every_parameter_takes_every_hostile_value(client, catalog, target):
    """Deterministic: each parameter, alone and beside a valid set, with each hostile value."""
    failures = []
    for name in sorted(KNOWN):
        seed = next((s for s in SEEDS[target] if any(n == name for n, _ in s)), [])
        for value in SWEEP:
            params = [(n, v) for n, v in seed if n != name] + [(name, value)]
            response = client.get(f"/search/{target}?{urlencode(params, errors='surrogatepass')}")
            try:
                search_answer(response)
            except AssertionError:
                failures.append(f"{name}={value[:20]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
