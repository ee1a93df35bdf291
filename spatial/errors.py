"""Spatial validation errors, one class per rule, with CMR's wording where it fits. They are the
project's errors (``clearinghouse.errors``, the one module below spatial)."""

from __future__ import annotations

from clearinghouse.errors import InvalidValue


class SpatialError(InvalidValue):
    code = "InvalidSpatial"


class CoordinateOutOfRange(SpatialError):
    pass


class RingNotClosed(SpatialError):
    pass


class DuplicatePoints(SpatialError):
    pass


class AntipodalPoints(SpatialError):
    pass


class SelfIntersection(SpatialError):
    pass


class WrongOrientation(SpatialError):
    pass


class BothPoles(SpatialError):
    pass


class HoleNotCovered(SpatialError):
    pass


class HolesIntersect(SpatialError):
    pass


class NorthBelowSouth(SpatialError):
    pass


class BadCircle(SpatialError):
    pass


class TooLarge(SpatialError):
    pass


class CrossesAntimeridian(SpatialError):
    pass


class TooManyPoints(SpatialError):
    pass


class TooFewPoints(SpatialError):
    pass


def parse_number(text: str | None, what: str, line: int | None) -> float:
    """A finite decimal from an outside document, or a SpatialError naming it and its line."""
    stripped = (text or "").strip()
    try:
        value = float(stripped)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise SpatialError(f"{what} [{stripped}] is not a number", line=line)
    return value
