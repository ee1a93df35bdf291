"""Spatial validation errors, one class per rule, with CMR's wording where it fits."""

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


class CrossesPole(SpatialError):
    pass


class TooManyPoints(SpatialError):
    pass


class TooFewPoints(SpatialError):
    pass
