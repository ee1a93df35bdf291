"""Collections by CMR's identifiers and flags: concept_id, echo_collection_id, entry_id,
short_name (and its ``and`` option), provider_short_name, downloadable/browsable, cloud_hosted,
has_granules, revision_date and created_at, spatial options, include_granule_counts. Ported from
CMR's system-int-test/test/cmr/system_int_test/search/collection/:
collection_identifier_search_test.clj, collection_provider_short_name_search_test.clj,
collection_boolean_flag_search_test.clj, collection_cloud_hosted_search_test.clj,
collection_spatial_search_test.clj (options[…][or]), misc/rev_date_concept_search_test.clj,
collection_creation_search_test.clj and granule/granule_counts_search_test.clj."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from clearinghouse.accounts.sessions import GUEST
from clearinghouse.catalog import cmr, search
from tests.cmr_support import coll, entries, found, gran, ingest, range_xml, refused
from tests.ingest_support import polygon

ONLINE = (
    "<OnlineAccessURLs><OnlineAccessURL><URL>https://data.example/c</URL>"
    "</OnlineAccessURL></OnlineAccessURLs>"
)


SINCE = range_xml("2019-01-01T00:00:00Z")  # and on


def _square(lon: float) -> str:
    return polygon([(lon, 0), (lon, 5), (lon + 5, 5), (lon + 5, 0), (lon, 0)])


@pytest.fixture
def identifiers(db, session, tmp_path):
    ingest(
        db,
        session,
        tmp_path,
        "PROV1",
        [
            coll("S1", "V1", dataset="ET1", extra=SINCE + ONLINE),
            coll("S2", "V2", dataset="ET2", extra=SINCE),
            coll("S3", "V3", dataset="ET3", extra=SINCE),
        ],
        [
            gran(
                "g1", "ET1", temporal=range_xml("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z")
            ).replace("</Temporal>", "</Temporal>" + _square(0)),
            gran(
                "g2", "ET1", temporal=range_xml("2021-01-01T00:00:00Z", "2021-01-02T00:00:00Z")
            ).replace("</Temporal>", "</Temporal>" + _square(50)),
            gran(
                "g3", "ET2", temporal=range_xml("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z")
            ).replace("</Temporal>", "</Temporal>" + _square(0)),
        ],
    )
    ingest(
        db,
        session,
        tmp_path,
        "PROV2",
        [coll("S1", "V1", dataset="ET4"), coll("S5", "V5", dataset="ET5")],
    )
    return db


def _ids(client) -> dict[str, str]:
    return {
        f"{e['short_name']}@{e['data_center']}": e["id"] for e in entries(client, "collections", {})
    }


def _names(client, params) -> list[str]:
    return sorted(
        f"{e['short_name']}@{e['data_center']}" for e in entries(client, "collections", params)
    )


def test_by_identifiers(client, identifiers):
    ids = _ids(client)
    c1, c2 = ids["S1@PROV1"], ids["S2@PROV1"]
    assert _names(client, {"concept_id": c1}) == ["S1@PROV1"]
    assert _names(client, [("concept_id", c1), ("concept_id", c2)]) == ["S1@PROV1", "S2@PROV1"]
    assert _names(client, {"echo_collection_id": c2}) == ["S2@PROV1"]
    assert _names(client, {"entry_id": "S1_V1"}) == ["S1@PROV1", "S1@PROV2"]
    assert _names(client, {"entry_id": "s1_v1", "provider": "PROV2"}) == ["S1@PROV2"]
    assert _names(client, {"entry_id": "S*_V5", "options[entry_id][pattern]": "true"}) == [
        "S5@PROV2"
    ]
    assert _names(client, {"provider_short_name": "prov2"}) == ["S1@PROV2", "S5@PROV2"]
    refused(client, "collections", {"concept_id": "G1-PROV1"}, "collection's catalog item id")
    # CMR takes no options on catalog item ids: they are always exact
    refused(
        client,
        "collections",
        {"concept_id": c1, "options[concept_id][pattern]": "true"},
        "option [pattern] is not supported for param [concept_id]",
    )
    refused(
        client,
        "collections",
        {"provider_short_name": "P*", "options[provider_short_name][pattern]": "true"},
        "option [pattern] is not supported",
    )


def test_short_name_and_entry_title_options(client, identifiers):
    both = [("short_name", "S1"), ("short_name", "S2")]
    assert _names(client, both) == ["S1@PROV1", "S1@PROV2", "S2@PROV1"]
    # and: a collection has one short name, so two ANDed match none (CMR's reading)
    assert _names(client, [*both, ("options[short_name][and]", "true")]) == []
    assert _names(
        client,
        [
            ("short_name", "S1"),
            ("short_name", "s*"),
            ("options[short_name][pattern]", "true"),
            ("options[short_name][and]", "true"),
        ],
    ) == ["S1@PROV1", "S1@PROV2"]
    assert _names(client, {"entry_title": "et?", "options[entry_title][pattern]": "true"}) == [
        "S1@PROV1",
        "S1@PROV2",
        "S2@PROV1",
        "S3@PROV1",
        "S5@PROV2",
    ]
    # CMR's table: dataset_id takes pattern only
    refused(
        client,
        "collections",
        {"dataset_id": "ET1", "options[dataset_id][ignore_case]": "false"},
        "it takes pattern",
    )
    refused(
        client,
        "collections",
        {"version": "V1", "options[version][and]": "true"},
        "option [and] is not supported for param [version]",
    )


def test_flags_and_granules(client, identifiers):
    assert _names(client, {"downloadable": "true"}) == ["S1@PROV1"]
    assert _names(client, {"online_only": "false", "provider": "PROV1"}) == ["S2@PROV1", "S3@PROV1"]
    assert _names(client, {"browsable": "true"}) == []
    assert len(_names(client, {"browse_only": "false"})) == 5
    assert _names(client, {"cloud_hosted": "true"}) == []  # ECHO 10 says nothing of clouds
    assert len(_names(client, {"cloud_hosted": "false"})) == 5
    assert _names(client, {"has_granules": "true"}) == ["S1@PROV1", "S2@PROV1"]
    assert _names(client, {"has_granules": "false"}) == ["S1@PROV2", "S3@PROV1", "S5@PROV2"]
    refused(client, "collections", {"has_granules": "yes"}, "not true or false")
    refused(client, "granules", {"cloud_hosted": "true"}, "parameter of collection searches")


def test_revision_and_creation_dates(client, identifiers):
    """Each record's dates are ours (the transaction the test ingests in): ranges around now."""
    now = datetime.now(UTC)
    past, future = (now - timedelta(days=1)).isoformat(), (now + timedelta(days=1)).isoformat()
    assert len(_names(client, {"revision_date": f"{past},"})) == 5
    assert _names(client, {"revision_date": f"{future},"}) == []
    assert (
        len(_names(client, [("revision_date", f"{future},"), ("revision_date", f",{future}")])) == 5
    )
    assert (
        _names(
            client,
            [
                ("revision_date", f"{future},"),
                ("revision_date", f",{future}"),
                ("options[revision_date][and]", "true"),
            ],
        )
        == []
    )
    assert len(_names(client, {"created_at": f"{past},{future}"})) == 5
    assert found(client, "granules", {"created_at": f",{past}"}) == []
    refused(client, "collections", {"revision_date": "yesterday,"}, "ISO 8601")


def test_spatial_or_options(client, identifiers):
    boxes = [("bounding_box", "0,0,1,1"), ("bounding_box", "50,0,51,1")]
    assert found(client, "granules", boxes) == []  # all must hold
    assert sorted(found(client, "granules", [*boxes, ("options[bounding_box][or]", "true")])) == [
        "g1",
        "g2",
        "g3",
    ]
    mixed = [("bounding_box", "0,0,1,1"), ("point", "52,2")]
    assert found(client, "granules", mixed) == []
    assert sorted(found(client, "granules", [*mixed, ("options[spatial][or]", "true")])) == [
        "g1",
        "g2",
        "g3",
    ]


def test_granule_counts_on_the_rows(identifiers, session):
    """granule_counts_search_test.clj: a collection's granules meeting the search's spatial and
    temporal conditions, counted on each row (for the door to show)."""
    args = MultiDict(
        {
            "include_granule_counts": "true",
            "provider": "PROV1",
            "temporal": "2020-01-01T00:00:00Z,2020-12-31T00:00:00Z",
        }
    )
    query, size = cmr.read("collections", args)
    rows = search.Plan(query, GUEST).page(session, size=size)
    assert sorted(row.granule_count for row in rows) == [0, 1, 1]  # S1 g1 (not g2), S2 g3, S3
    args["temporal"] = "2021-01-01T00:00:00Z,"
    query, size = cmr.read("collections", args)
    counts = {row.id: row.granule_count for row in search.Plan(query, GUEST).page(session, size=10)}
    assert sorted(counts.values()) == [0, 0, 1]  # S1 has g2 then; S2, S3 none
    query, size = cmr.read("collections", MultiDict({"provider": "PROV1"}))
    assert "granule_count" not in search.Plan(query, GUEST).page(session, size=10)[0]._fields
