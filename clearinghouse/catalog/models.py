"""Collections, granules and browse images as ingested from ECHO 10 files.

Each record keeps the provider's own dates (InsertTime, LastUpdate, DeleteTime), our revision
counter and timestamps, the searchable fields as real columns, and the full ECHO 10 XML.
Footprints: ``spatial_geog`` (geography, every spatial record), ``spatial_geom`` (exact planar
geometry, Cartesian records only), ``spatial_mbr`` (lon/lat rectangles, the index prefilter) and
``global_coverage``; see ``spatial.postgis`` and ``spatial.bounds``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geography, Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import (
    ARRAY,
    JSONB,
    NUMMULTIRANGE,
    NUMRANGE,
    TSTZMULTIRANGE,
    TSVECTOR,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from clearinghouse.db.base import Base, id_column, now_column, text_enum, touched_column
from spatial.shapes import CoordinateSystem


class SpatialRepresentation(enum.Enum):
    CARTESIAN = "CARTESIAN"
    GEODETIC = "GEODETIC"
    ORBIT = "ORBIT"
    NO_SPATIAL = "NO_SPATIAL"


class DayNightFlag(enum.Enum):
    DAY = "DAY"
    NIGHT = "NIGHT"
    BOTH = "BOTH"
    UNSPECIFIED = "UNSPECIFIED"


class CatalogRecord:
    """Columns that collections and granules share."""

    id: Mapped[int] = id_column()
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("providers.provider_id", ondelete="CASCADE")
    )
    # The provider's dates, as the record states them.
    insert_time: Mapped[datetime | None]
    last_update: Mapped[datetime | None]
    delete_time: Mapped[datetime | None]
    # Ours.
    revision: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = touched_column()
    deleted_at: Mapped[datetime | None]
    visible: Mapped[bool] = mapped_column(Boolean, server_default="true")
    orderable: Mapped[bool] = mapped_column(Boolean, server_default="true")
    restriction_flag: Mapped[Decimal | None] = mapped_column(Numeric)
    online_only: Mapped[bool] = mapped_column(Boolean, server_default="false")
    browse_available: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # Every time the record covers (ranges, single times as instants; open when it runs on to the
    # present), its bounds for sorting, and its periodic patterns as the record states them.
    temporal: Mapped[Any] = mapped_column(TSTZMULTIRANGE, nullable=True)
    temporal_start: Mapped[datetime | None]
    temporal_end: Mapped[datetime | None]
    ends_at_present: Mapped[bool] = mapped_column(Boolean, server_default="false")
    temporal_periodic: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    platforms: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    instruments: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    sensors: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    campaigns: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    browse_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    additional_attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    xml: Mapped[str] = mapped_column(Text)
    # Where: see spatial.postgis.coverage_columns.
    coordinate_system: Mapped[CoordinateSystem | None] = mapped_column(
        text_enum(CoordinateSystem, "coordinate_system")
    )
    spatial_geom: Mapped[Any] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=True
    )
    spatial_geog: Mapped[Any] = mapped_column(
        Geography("GEOMETRY", srid=4326, spatial_index=False), nullable=True
    )
    spatial_mbr: Mapped[Any] = mapped_column(
        Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=True
    )
    global_coverage: Mapped[bool] = mapped_column(Boolean, server_default="false")
    orbit: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # The ingest job that last wrote the record: a second copy in the same file is a duplicate.
    last_job_id: Mapped[int | None] = mapped_column(BigInteger)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple:
        table = cls.__tablename__
        return (*cls._own_table_args, *_spatial_indexes(table), _browse_index(table))


def _browse_index(table: str) -> Index:
    """The records naming a browse image: serving it asks whether the caller may read one."""
    return Index(
        f"ix_{table}_browse_ids",
        "browse_ids",
        postgresql_using="gin",
        postgresql_where=text("browse_ids <> '{}'"),
    )


def _spatial_indexes(table: str) -> tuple[Index, ...]:
    return (
        Index(f"ix_{table}_spatial_geom", "spatial_geom", postgresql_using="gist"),
        Index(f"ix_{table}_spatial_geog", "spatial_geog", postgresql_using="gist"),
        Index(f"ix_{table}_spatial_mbr", "spatial_mbr", postgresql_using="gist"),
        Index(f"ix_{table}_temporal", "temporal", postgresql_using="gist"),
        Index(
            f"ix_{table}_global_coverage",
            "global_coverage",
            postgresql_where=text("global_coverage"),
        ),
    )


#: What a collection's ``keywords`` vector is made of (``catalog_keywords``, migration 0019).
KEYWORDS = (
    "catalog_keywords(ARRAY[short_name, version_id, dataset_id, entry_id, processing_level,"
    " archive_center, provider_id] || platforms || instruments || sensors || campaigns"
    " || spatial_keywords, science_keywords, xml)"
)


class Collection(CatalogRecord, Base):
    __tablename__ = "collections"
    _own_table_args = (
        UniqueConstraint("provider_id", "short_name", "version_id"),
        UniqueConstraint("provider_id", "dataset_id"),
        # A granule search by platform first finds the collections that have it (granules match
        # their collection's names): without these, lower_array runs for every collection.
        Index("ix_collections_platforms", text("lower_array(platforms)"), postgresql_using="gin"),
        Index(
            "ix_collections_instruments", text("lower_array(instruments)"), postgresql_using="gin"
        ),
        Index("ix_collections_sensors", text("lower_array(sensors)"), postgresql_using="gin"),
        Index("ix_collections_keywords", "keywords", postgresql_using="gin"),
    )

    short_name: Mapped[str] = mapped_column(String(85))
    version_id: Mapped[str] = mapped_column(String(80))
    dataset_id: Mapped[str] = mapped_column(String(1030))
    entry_id: Mapped[str | None] = mapped_column(Text)
    processing_level: Mapped[str | None] = mapped_column(Text)
    archive_center: Mapped[str | None] = mapped_column(Text)
    spatial_representation: Mapped[SpatialRepresentation] = mapped_column(
        text_enum(SpatialRepresentation, "spatial_representation"),
        server_default=SpatialRepresentation.NO_SPATIAL.value,
    )
    spatial_keywords: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    science_keywords: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    temporal_keywords: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    two_d_systems: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    # CMR's keyword search: the record's words, kept by the database (migration 0019).
    keywords: Mapped[Any] = mapped_column(TSVECTOR, Computed(KEYWORDS, persisted=True))


class Granule(CatalogRecord, Base):
    __tablename__ = "granules"
    _own_table_args = (
        UniqueConstraint("provider_id", "granule_ur"),
        Index("ix_granules_collection_id_temporal", "collection_id", "temporal_start"),
        Index("ix_granules_collection_id_cloud_cover", "collection_id", "cloud_cover"),
        Index(
            "ix_granules_granule_ur_pattern",
            "granule_ur",
            postgresql_ops={"granule_ur": "text_pattern_ops"},
        ),
        Index("ix_granules_platforms", text("lower_array(platforms)"), postgresql_using="gin"),
        Index("ix_granules_instruments", text("lower_array(instruments)"), postgresql_using="gin"),
        Index("ix_granules_sensors", text("lower_array(sensors)"), postgresql_using="gin"),
        # CMR matches URs and producer ids ignoring case by default (migration 0019).
        Index("ix_granules_granule_ur_lower", text("lower(granule_ur::text) text_pattern_ops")),
        Index(
            "ix_granules_producer_granule_id_lower",
            text("lower(producer_granule_id) text_pattern_ops"),
        ),
        # A collection's live granules in order, with what the search's other liveness and
        # as-of conditions read: pages and hit counts come from the index alone.
        Index(
            "ix_granules_live_collection_id",
            "collection_id",
            "id",
            postgresql_include=["delete_time", "created_at"],
            postgresql_where=text("deleted_at IS NULL AND visible IS TRUE"),
        ),
        # A collection's granules in an area (btree_gist: the collection in the same tree).
        Index(
            "ix_granules_collection_id_spatial_mbr",
            "collection_id",
            "spatial_mbr",
            postgresql_using="gist",
        ),
        # Orbit granules by collection and ascending crossing: what a backtrack search asks.
        Index(
            "ix_granules_collection_id_orbit_asc_crossing",
            "collection_id",
            "orbit_asc_crossing",
            postgresql_where=text("orbit_asc_crossing IS NOT NULL"),
        ),
    )

    collection_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("collections.id", ondelete="CASCADE")
    )
    granule_ur: Mapped[str] = mapped_column(String(250))
    producer_granule_id: Mapped[str | None] = mapped_column(Text)
    day_night_flag: Mapped[DayNightFlag | None] = mapped_column(
        text_enum(DayNightFlag, "day_night_flag")
    )
    cloud_cover: Mapped[float | None]
    # The orbits the granule spans: OrbitNumber, or StartOrbitNumber to StopOrbitNumber (decimals).
    orbit_ranges: Mapped[Any] = mapped_column(NUMMULTIRANGE, server_default="{}")
    measured_parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    pge_name: Mapped[str | None] = mapped_column(Text)
    pge_version: Mapped[str | None] = mapped_column(Text)
    production_date: Mapped[datetime | None]
    # A 2-D coordinate system (WRS-2 paths and rows…): its name and the ranges covered.
    two_d_system: Mapped[str | None] = mapped_column(Text)
    two_d_coordinate1: Mapped[Any] = mapped_column(NUMRANGE, nullable=True)
    two_d_coordinate2: Mapped[Any] = mapped_column(NUMRANGE, nullable=True)
    equator_crossing_longitudes: Mapped[list[float]] = mapped_column(
        ARRAY(Float), server_default="{}"
    )
    equator_crossing_dates: Mapped[list[datetime]] = mapped_column(
        ARRAY(DateTime(timezone=True)), server_default="{}"
    )
    # An orbit granule (no footprint): its ascending crossing (degrees of longitude) and the
    # circular latitudes it covers, start to end (spatial.backtrack.granule_clats).
    orbit_asc_crossing: Mapped[float | None]
    orbit_start_clat: Mapped[float | None]
    orbit_end_clat: Mapped[float | None]


class BrowseImage(Base):
    """A browse image: a file hosted by us (served at /browse/<provider>/<file>) or a partner's
    URL. Records name theirs in ``browse_ids``; the link is made by that id, whichever of the two
    arrives first."""

    __tablename__ = "browse_images"
    __table_args__ = (
        UniqueConstraint("provider_id", "provider_browse_id"),
        UniqueConstraint("provider_id", "file_name"),
    )

    id: Mapped[int] = id_column()
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("providers.provider_id", ondelete="CASCADE")
    )
    provider_browse_id: Mapped[str] = mapped_column(String(250))
    file_name: Mapped[str | None] = mapped_column(Text)
    file_url: Mapped[str | None] = mapped_column(Text)
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    mime_type: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    stored_path: Mapped[str | None] = mapped_column(Text)  # under $CLEARINGHOUSE_HOME/browse
    insert_time: Mapped[datetime | None]
    last_update: Mapped[datetime | None]
    delete_time: Mapped[datetime | None]
    last_job_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = touched_column()


class ResultSet(Base):
    """A catalog query's results, paged through by GetQueryResults: the query as sent, who may
    page it (its session), its hit count, and where the last page ended (to go on by key)."""

    __tablename__ = "result_sets"

    guid: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String(12))
    query: Mapped[str] = mapped_column(Text)
    sort: Mapped[str] = mapped_column(String(20))
    result_format: Mapped[str] = mapped_column(String(10))
    hits: Mapped[int] = mapped_column(BigInteger)
    hits_estimated: Mapped[bool] = mapped_column(Boolean)
    max_results: Mapped[int | None] = mapped_column(BigInteger)
    as_of: Mapped[datetime]
    position: Mapped[int] = mapped_column(BigInteger, server_default="0")
    last_key: Mapped[list[Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = now_column()
    last_used_at: Mapped[datetime] = now_column()
