"""options[parameter][option]: honoured where CMR takes it, refused precisely where it does not
(CMR's table, common-app-lib/…/parameter_validation.clj and search-app/…/parameters/
parameter_validation.clj, as exercised by system-int-test/test/cmr/system_int_test/search/
misc/parameter_type_validation_test.clj); parameters of the other kind of search; negative cloud
cover refused over HTTP as over AQL."""

from __future__ import annotations

import pytest

from tests.api_support import error
from tests.catalog_support import aql
from tests.catalog_support import refused as aql_refused
from tests.cmr_support import refused


@pytest.mark.parametrize(
    ("target", "params", "words", "code"),
    [
        (
            "granules",
            {"granule_ur": "x", "options[granule_ur][and]": "true"},
            "option [and] is not supported for param [granule_ur] in a granule search; it takes"
            " pattern, ignore_case",
            "InvalidValue",
        ),
        (
            "collections",
            {"concept_id": "C1-P", "options[concept_id][ignore_case]": "true"},
            "it takes no options",
            "InvalidValue",
        ),
        (
            "collections",
            {"short_name": "x", "options[short_name][or]": "true"},
            "option [or] is not supported for param [short_name]",
            "InvalidValue",
        ),
        (
            "collections",
            {"short_name": "x", "options[short_name][pattern]": "maybe"},
            "'maybe' is not true or false",
            "InvalidValue",
        ),
        (
            "collections",
            {"options[short_name]": "true"},
            "give options[parameter][option]",
            "InvalidValue",
        ),
        ("collections", {"cloud_cover": "1,2"}, "parameter of granule searches", "InvalidValue"),
        ("collections", {"day_night_flag": "day"}, "parameter of granule searches", "InvalidValue"),
        ("collections", {"granule_ur": "g"}, "parameter of granule searches", "InvalidValue"),
        (
            "collections",
            {"readable_granule_name": "g"},
            "parameter of granule searches",
            "InvalidValue",
        ),
        ("granules", {"has_granules": "true"}, "parameter of collection searches", "InvalidValue"),
        (
            "granules",
            {"include_granule_counts": "true"},
            "parameter of collection searches",
            "InvalidValue",
        ),
        (
            "granules",
            {"day_night_flag": "dusk"},
            "not day, night, both or unspecified",
            "InvalidValue",
        ),
        ("granules", {"cloud_cover": "-70,31"}, "not a percentage from 0 to 100", "InvalidValue"),
        ("granules", {"cloud_cover": "10,120"}, "not a percentage from 0 to 100", "InvalidValue"),
        ("granules", {"cloud_cover": ","}, "give min,max", "InvalidValue"),
        (
            "granules",
            {"downloadable": "yes"},
            "downloadable: 'yes' is not true or false",
            "InvalidValue",
        ),
        (
            "granules",
            {"temporal": "2000-01-01T00:00:00Z,", "options[temporal][limit_to_granules]": "true"},
            "option [limit_to_granules] is not supported for param [temporal]",
            "InvalidValue",
        ),
        (
            "collections",
            {"temporal": "2000-01-01T00:00:00Z,", "options[temporal][limit_to_granules]": "true"},
            "not supported by this server",
            "NotSupported",
        ),
        (
            "granules",
            {"attribute": "float,a,1", "options[attribute][exclude_boundary]": "true"},
            "not supported by this server",
            "NotSupported",
        ),
        (
            "granules",
            {"day_night_flag": "day", "options[day_night_flag][pattern]": "true"},
            "not supported by this server",
            "NotSupported",
        ),
        ("granules", {"colour": "red"}, "unknown parameter colour", "InvalidValue"),
        (
            "granules",
            {"collection_concept_id": ""},
            "is not a collection's catalog item id",
            "InvalidValue",
        ),  # an empty id once slipped through as an id of every kind
    ],
)
def test_refused_precisely(client, catalog, target, params, words, code):
    refused(client, target, params, words, code=code)


def test_negative_cloud_cover_refused_in_aql_too(client, catalog):
    fields = aql_refused(
        client, aql("granules", "<cloudCover><range lower='-70' upper='31'/></cloudCover>")
    )
    assert "cloudCover/range lower" in fields["Message"]


def test_options_honoured(client, catalog):
    """and/or/ignore_case/pattern where CMR takes them change the answer (not silently
    ignored): the small catalog's MADEUP granules."""

    def urs(params):
        response = client.get("/search/granules.json", query_string=[*params, ("page_size", 50)])
        assert response.status_code == 200, response.data
        return sorted(e["title"] for e in response.get_json()["feed"]["entry"])

    spring = [
        ("temporal", "2020-02-01T00:00:00Z,2020-02-28T00:00:00Z"),
        ("temporal", "2020-04-01T00:00:00Z,2020-04-30T00:00:00Z"),
    ]
    assert urs(spring) == ["MADE.1", "MADE.3"]
    assert urs([*spring, ("options[temporal][and]", "true")]) == []
    assert urs([("short_name", "c1"), ("options[short_name][ignore_case]", "false")]) == []
    assert len(urs([("short_name", "c1")])) == 5
    assert error(
        client.get("/search/collections?dataset_id=x&options[dataset_id][and]=true"),
        400,
        "InvalidValue",
    )
