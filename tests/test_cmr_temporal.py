"""Granules by temporal: ranges, repeated ranges (any of them), recurring windows with an empty
start day, no end day or no end date. Ported from CMR's system-int-test/test/cmr/
system_int_test/search/granule/granule_periodic_temporal_search_test.clj
(search-by-periodic-temporal, over HTTP and AQL) and granule_temporal_search_test.clj."""

from __future__ import annotations

import pytest

from tests.catalog_support import aql, run, urs
from tests.cmr_support import coll, found, gran, ingest, range_xml, refused

RANGES = {
    1: ("2000-01-01T12:00:00Z", "2000-02-14T12:00:00Z"),
    2: ("2000-02-14T12:00:00Z", "2000-02-15T12:00:00Z"),
    3: ("2000-03-15T12:00:00Z", "2000-04-15T12:00:00Z"),
    4: ("2000-04-01T12:00:00Z", "2000-04-15T12:00:00Z"),
    5: ("2001-01-01T12:00:00Z", "2001-01-31T12:00:00Z"),
    6: ("2001-01-01T12:00:00Z", "2001-02-14T12:00:00Z"),
    7: ("2001-03-15T12:00:00Z", "2001-04-15T12:00:00Z"),
    8: ("2001-04-01T12:00:00Z", "2001-04-15T12:00:00Z"),
    9: ("2002-01-01T12:00:00Z", "2002-01-31T12:00:00Z"),
    10: ("2002-01-01T12:00:00Z", "2002-02-14T12:00:00Z"),
    11: ("2002-03-14T12:00:00Z", "2002-04-15T12:00:00Z"),
    12: ("2002-03-15T12:00:00Z", "2002-04-15T12:00:00Z"),
    13: ("2002-04-01T12:00:00Z", "2002-04-15T12:00:00Z"),
    14: ("1999-02-15T12:00:00Z", "1999-03-15T12:00:00Z"),
    15: ("2003-02-15T12:00:00Z", "2003-03-15T12:00:00Z"),
    16: ("1999-02-15T12:00:00Z", None),
    17: ("2001-02-15T12:00:00Z", None),
    18: ("2002-03-15T12:00:00Z", None),
    19: ("2001-11-15T12:00:00Z", "2001-12-15T12:00:00Z"),
}


@pytest.fixture
def periodic(db, session, tmp_path):
    collection = coll("C1", dataset="E1", extra=range_xml("1970-01-01T00:00:00Z"))
    granules = [gran(f"Granule{n}", "E1", temporal=range_xml(*r)) for n, r in RANGES.items()]
    granules.append(gran("Granule20", "E1"))  # no time at all
    ingest(db, session, tmp_path, "PROV1", [collection], granules)
    return db


def _g(*numbers: int) -> list[str]:
    return sorted(f"Granule{n}" for n in numbers)


@pytest.mark.parametrize(
    ("temporal", "expected"),
    [
        ("2000-02-15T00:00:00Z, 2002-03-15T00:00:00Z, 32, 90", (2, 3, 6, 7, 10, 11, 16, 17)),
        (
            "2000-02-15T00:00:00Z, 2002-03-15T00:00:00Z, 32,",
            (2, 3, 4, 6, 7, 8, 10, 11, 16, 17, 19),
        ),  # no end day: to the end of each year
        (
            "2000-02-15T00:00:00Z, 2002-03-15T00:00:00Z, , 90",
            (2, 3, 5, 6, 7, 9, 10, 11, 16, 17),
        ),  # an empty start day: from the first
        (
            "2000-02-15T00:00:00Z, , 32",
            (2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18, 19),
        ),  # no end date
        (
            "2000-04-03T00:00:00Z, 2002-01-02T00:00:00Z, 93, 2",
            (3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 19),
        ),  # across New Year
    ],
)
def test_recurring_windows(client, periodic, temporal, expected):
    assert sorted(found(client, "granules", {"temporal": temporal})) == _g(*expected)


def test_repeated_temporal_finds_any(client, periodic):
    both = [
        ("temporal", "1998-01-15T00:00:00Z, 1999-03-15T00:00:00Z, 60, 90"),
        ("temporal", "2000-02-15T00:00:00Z, 2001-03-15T00:00:00Z, 40, 50"),
    ]
    assert sorted(found(client, "granules", both)) == _g(2, 6, 14, 16, 17)
    both_held = [*both, ("options[temporal][and]", "true")]
    assert sorted(found(client, "granules", both_held)) == _g(16)  # open-ended: in both


@pytest.mark.parametrize(
    ("dates", "days", "expected"),
    [
        (("2000", "02", "15", "2002", "03", "15"), (32, 90), (2, 3, 6, 7, 10, 11, 16, 17)),
        (
            ("2000", "02", "15", "2002", "03", "15"),
            (32, None),
            (2, 3, 4, 6, 7, 8, 10, 11, 16, 17, 19),
        ),
        (
            ("2000", "02", "15", None, None, None),
            (32, None),
            (2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18, 19),
        ),
        (("2000", "04", "03", "2002", "01", "02"), (93, 2), (3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 19)),
    ],
)
def test_recurring_windows_in_aql(client, periodic, dates, days, expected):
    y1, m1, d1, y2, m2, d2 = dates
    stop = f"<stopDate><Date YYYY='{y2}' MM='{m2}' DD='{d2}'/></stopDate>" if y2 else ""
    end_day = f"<endDay value='{days[1]}'/>" if days[1] else ""
    condition = (
        f"<temporal><startDate><Date YYYY='{y1}' MM='{m1}' DD='{d1}'/></startDate>"
        f"{stop}<startDay value='{days[0]}'/>{end_day}</temporal>"
    )
    assert sorted(urs(run(client, aql("granules", condition), IteratorSize=50))) == _g(*expected)


def test_ranges_and_their_errors(client, periodic):
    """granule_temporal_search_test.clj: a range meets what overlaps it, ends included."""
    assert sorted(
        found(client, "granules", {"temporal": "2000-02-15T12:00:00Z,2000-03-15T12:00:00Z"})
    ) == _g(2, 3, 16)
    assert sorted(found(client, "granules", {"temporal": ",1999-03-01T00:00:00Z"})) == _g(14, 16)
    refused(client, "granules", {"temporal": ","}, "give a start or an end")
    refused(client, "granules", {"temporal": "2000-01-01T00:00:00Z,,0"}, "day of the year")
    refused(client, "granules", {"temporal": "a,b,c,d,e"}, "start,end")
    refused(
        client,
        "granules",
        {"temporal": "2000-01-01T00:00:00Z,", "options[temporal][exclude_boundary]": "true"},
        "not supported by this server",
        code="NotSupported",
    )
