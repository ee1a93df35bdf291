"""Spatial coverage: Cartesian and geodetic footprints, their validation, and PostGIS mapping."""
