"""AQL through CatalogService, fuzzed: queries drawn from aql.dtd (every condition, operator and
attribute it allows, values from the test catalog or hostile), inline or as text, with the
request's paging options, then mutated; and GetQueryResults on the result sets they make.
Never a 5xx, always the documented error."""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from tests.api_support import login, user
from tests.catalog_support import aql
from tests.fuzz.budget import budget
from tests.fuzz.dtdgen import element
from tests.fuzz.hostile import mutated_bytes, mutated_tree, text_strategy
from tests.fuzz.support import echo_answer

#: Values the test catalog (tests/catalog_support.py) holds.
KNOWN = {
    "value": [
        "DS 1",
        "DS 2",
        "MADE.3",
        "AST_L1A",
        "TERRA",
        "MODIS",
        "WRS-2",
        "band",
        "1",
        "5",
        "PODAAC",
        "MADEUP",
        "Summer",
        "MADEPGE",
        "prod-1.hdf",
        "SC:AST_L1A.003:2242022926",
    ],
    "textPattern": ["MADE%", "DS_1", "%", "AST*", "?"],
    "additionalAttributeName": ["band"],
    "lat": ["0", "2.5", "-89.9", "90", "50"],
    "long": ["0", "12.5", "180", "-180", "170"],
    "YYYY": ["2020", "2016", "1999"],
    "MM": ["1", "2", "12"],
    "DD": ["1", "10", "31"],
}
OPTIONS = {
    "ResultType": ["RESULTS", "HITS"],
    "IteratorSize": ["1", "2", "10", "2000"],
    "Cursor": ["1", "2", "5"],
    "MaxResults": ["1", "3", "100"],
    "ResultFormat": ["ECHO10", "BRIEF"],
    "SortBy": ["natural", "start_time", "update_time"],
}


@st.composite
def coherent_query(draw) -> etree._Element:
    """A query whose parts come in order and whose conditions are of the kind it asks for."""
    target = draw(st.sampled_from(["collections", "granules"]))
    where = draw(element("aql.dtd", "where", KNOWN))
    wrong = "collectionCondition" if target == "granules" else "granuleCondition"
    for condition in where.findall(wrong):
        where.remove(condition)
    query = etree.Element("query")
    etree.SubElement(query, "for", value=target)
    query.append(draw(element("aql.dtd", "dataCenterId", KNOWN)))
    query.append(where)
    return query


@st.composite
def execute_query(draw) -> bytes:
    query = draw(coherent_query())
    request = etree.Element("ExecuteQueryRequest")
    holder = etree.SubElement(request, "query")
    if draw(st.booleans()):
        holder.extend(list(query))
    else:  # as ECHO's clients sent it: the query as text
        holder.text = etree.CDATA(etree.tostring(query, encoding="unicode"))
    for name, values in OPTIONS.items():
        if draw(st.booleans()):
            value = draw(st.one_of(st.sampled_from(values), text_strategy(name)))
            etree.SubElement(request, name).text = value
    message = etree.Element("CatalogService")
    message.append(request)
    message = draw(mutated_tree(message, KNOWN))
    return draw(mutated_bytes(etree.tostring(message, encoding="UTF-8")))


@pytest.fixture
def token(client, session) -> str:
    user(session, "kim")
    return login(client, "kim")


@budget(80)
@given(data=st.data())
def test_aql_queries_never_crash(client, catalog, token, data):
    caller = data.draw(st.sampled_from([None, token]), label="caller")
    headers = {"Echo-Token": caller} if caller else {}
    body = data.draw(execute_query(), label="message")
    root = echo_answer(client.post("/echo/perform", data=body, headers=headers))
    guid = root.findtext("ExecuteQueryResponse/ResultSetGuid")
    if guid is None:
        return
    more = {name: data.draw(text_strategy(name)) for name in ("IteratorSize", "Cursor")}
    follow = etree.Element("GetQueryResultsRequest")
    etree.SubElement(follow, "ResultSetGuid").text = guid
    for name, value in more.items():
        if data.draw(st.booleans()):
            etree.SubElement(follow, name).text = value
    body = b"<CatalogService>" + etree.tostring(follow) + b"</CatalogService>"
    echo_answer(client.post("/echo/perform", data=body, headers=headers))


DAY = "<Date YYYY='2020' MM='1' DD='1'/>"
#: A valid condition per kind of value AQL reads, ``{v}`` where the value goes.
SLOTS = [
    ("granules", "<dataSetId><value>{v}</value></dataSetId>"),
    ("granules", "<GranuleUR><textPattern>{v}</textPattern></GranuleUR>"),
    ("granules", "<cloudCover><range lower='{v}' upper='50'/></cloudCover>"),
    ("granules", "<orbitNumber><value>{v}</value></orbitNumber>"),
    ("granules", "<orbitNumber><range lower='1' upper='{v}'/></orbitNumber>"),
    ("granules", "<equatorCrossingLongitude><range lower='{v}'/></equatorCrossingLongitude>"),
    ("granules", "<temporal><startDate><Date YYYY='{v}' MM='1' DD='1'/></startDate></temporal>"),
    (
        "granules",
        "<temporal><startDate><Date YYYY='2020' MM='{v}' DD='{v}'/></startDate></temporal>",
    ),
    (
        "granules",
        "<temporal><startDate><Date YYYY='2020' MM='1' DD='1' HH='{v}' MI='{v}' SS='{v}'/>"
        "</startDate></temporal>",
    ),
    (
        "granules",
        f"<temporal><startDate>{DAY}</startDate><stopDate>{DAY}</stopDate>"
        "<startDay value='{v}'/><endDay value='{v}'/></temporal>",
    ),
    (
        "collections",
        "<ECHOLastUpdate><dateRange><startDate><Date YYYY='{v}' MM='1' DD='1'/>"
        "</startDate></dateRange></ECHOLastUpdate>",
    ),
    ("granules", "<spatial operator='RELATE'><IIMSPoint lat='{v}' long='0'/></spatial>"),
    (
        "granules",
        "<spatial><IIMSBox><IIMSPoint lat='-10' long='{v}'/>"
        "<IIMSPoint lat='10' long='10'/></IIMSBox></spatial>",
    ),
    (
        "collections",
        "<additionalAttributes><additionalAttribute><additionalAttributeName>band"
        "</additionalAttributeName><additionalAttributeValue><int>{v}</int>"
        "</additionalAttributeValue></additionalAttribute></additionalAttributes>",
    ),
    (
        "collections",
        "<additionalAttributes><additionalAttribute><additionalAttributeName>band"
        "</additionalAttributeName><additionalAttributeValue><floatRange lower='{v}'/>"
        "</additionalAttributeValue></additionalAttribute></additionalAttributes>",
    ),
]
SWEEP = [
    "",
    "²",
    "①",
    "٣",
    "NaN",
    "inf",
    "1e309",
    "9" * 40,
    "-1",
    "0",
    "10000",
    "<&>'\"",
    "x" * 5000,
    "\u202e",
    "%",
    "1.5",
]
OPTION_SLOTS = [
    "<IteratorSize>{v}</IteratorSize>",
    "<Cursor>{v}</Cursor>",
    "<MaxResults>{v}</MaxResults>",
]


def test_every_aql_value_takes_every_hostile_value(client, catalog, token):
    """Deterministic: each kind of value in a valid query (and each paging option) gets each
    hostile value."""
    failures = []
    for (target, slot), value in itertools.product(SLOTS, SWEEP):
        kind = "granuleCondition" if target == "granules" else "collectionCondition"
        condition = slot.format(v=quoteattr(value)[1:-1])
        query = (
            f'<query><for value="{target}"/><dataCenterId><all/></dataCenterId><where>'
            f"<{kind}>{condition}</{kind}></where></query>"
        )
        failures += _asked(client, token, query, "", slot.format(v=ascii(value[:12]))[-110:])
    query = aql("granules", "<dataSetId><value>DS 1</value></dataSetId>")
    for slot, value in itertools.product(OPTION_SLOTS, SWEEP):
        failures += _asked(client, token, query, slot.format(v=escape(value)), value[:12])
    assert not failures, "\n".join(failures)


def _asked(client, token, query: str, options: str, what: str) -> list[str]:
    body = f"<CatalogService><ExecuteQueryRequest>{query}{options}</ExecuteQueryRequest>"
    response = client.post(
        "/echo/perform", data=body + "</CatalogService>", headers={"Echo-Token": token}
    )
    try:
        echo_answer(response)
    except AssertionError:
        return [f"{what}: {response.status_code}"]
    return []
