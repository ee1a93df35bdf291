"""Reading values out of records: dates as XML Schema means them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.records import RecordError, moment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-09-06T23:13:48.67000Z", datetime(2016, 9, 6, 23, 13, 48, 670000, tzinfo=UTC)),
        ("2016-09-06T23:13:48", datetime(2016, 9, 6, 23, 13, 48, tzinfo=UTC)),  # no zone: UTC
        (" 2016-09-06T23:13:48.1-02:00 ", datetime(2016, 9, 7, 1, 13, 48, 100000, tzinfo=UTC)),
        ("2016-09-06", datetime(2016, 9, 6, tzinfo=UTC)),
        ("2016-09-06T24:00:00Z", datetime(2016, 9, 7, tzinfo=UTC)),  # the end of the day
        ("2016-09-06T23:13:48.1234567Z", datetime(2016, 9, 6, 23, 13, 48, 123456, tzinfo=UTC)),
        ("0999-01-01T00:00:00Z", datetime(999, 1, 1, tzinfo=UTC)),
    ],
)
def test_moments(text, expected):
    assert moment(text) == expected


@pytest.mark.parametrize("text", ["2016-02-30T00:00:00Z", "9999-12-31T23:59:59-01:00", "soon"])
def test_moments_the_catalog_cannot_hold(text):
    with pytest.raises(RecordError) as info:
        moment(text, line=7)
    assert info.value.line == 7 and info.value.category == "data_errors"
