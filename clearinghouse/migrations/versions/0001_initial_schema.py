"""Initial schema: PostGIS, accounts, catalog, ingest and broker tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:08:04.358578
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "providers",
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("contact_email", sa.Text(), nullable=False),
        sa.Column("ftp_password_hash", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("ingest_paused", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("order_endpoint", sa.Text(), nullable=True),
        sa.Column(
            "order_mode",
            sa.Enum("sync", "async", name="order_mode", native_enum=False, create_constraint=True),
            server_default="sync",
            nullable=False,
        ),
        sa.Column("retry_attempts", sa.Integer(), server_default="3", nullable=False),
        sa.Column("retry_wait_seconds", sa.Integer(), server_default="60", nullable=False),
        sa.Column(
            "supported_transactions",
            postgresql.ARRAY(sa.Text()),
            server_default="{QUOTE,SUBMIT,CANCEL}",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "provider_id ~ '^[A-Z0-9_]{1,40}$'", name=op.f("ck_providers_provider_id_format")
        ),
        sa.CheckConstraint(
            "retry_attempts >= 0", name=op.f("ck_providers_retry_attempts_not_negative")
        ),
        sa.CheckConstraint(
            "retry_wait_seconds >= 0", name=op.f("ck_providers_retry_wait_not_negative")
        ),
        sa.PrimaryKeyConstraint("provider_id", name=op.f("pk_providers")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("first_name", sa.Text(), nullable=True),
        sa.Column("last_name", sa.Text(), nullable=True),
        sa.Column("is_admin", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index(
        "uq_users_username_lower", "users", [sa.literal_column("lower(username)")], unique=True
    )
    op.create_table(
        "addresses",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "shipping",
                "billing",
                "contact",
                name="address_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("street", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("postal_code", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_addresses_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    op.create_index(op.f("ix_addresses_user_id"), "addresses", ["user_id"], unique=False)
    op.create_table(
        "browse_images",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("provider_browse_id", sa.String(length=250), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("stored_path", sa.Text(), nullable=False),
        sa.Column("insert_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_update", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_browse_images_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_browse_images")),
        sa.UniqueConstraint(
            "provider_id", "file_name", name=op.f("uq_browse_images_provider_id_file_name")
        ),
        sa.UniqueConstraint(
            "provider_id",
            "provider_browse_id",
            name=op.f("uq_browse_images_provider_id_provider_browse_id"),
        ),
    )
    op.create_table(
        "collections",
        sa.Column("short_name", sa.String(length=85), nullable=False),
        sa.Column("version_id", sa.String(length=80), nullable=False),
        sa.Column("dataset_id", sa.String(length=1030), nullable=False),
        sa.Column("entry_id", sa.Text(), nullable=True),
        sa.Column("processing_level", sa.Text(), nullable=True),
        sa.Column("archive_center", sa.Text(), nullable=True),
        sa.Column(
            "spatial_representation",
            sa.Enum(
                "CARTESIAN",
                "GEODETIC",
                "ORBIT",
                "NO_SPATIAL",
                name="spatial_representation",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="NO_SPATIAL",
            nullable=False,
        ),
        sa.Column(
            "spatial_keywords", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "science_keywords",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("insert_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_update", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delete_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visible", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("orderable", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("restriction_flag", sa.Numeric(), nullable=True),
        sa.Column("online_only", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("browse_available", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("temporal_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("temporal_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at_present", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("platforms", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("instruments", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("sensors", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("campaigns", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column(
            "additional_attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_collections_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collections")),
        sa.UniqueConstraint(
            "provider_id", "dataset_id", name=op.f("uq_collections_provider_id_dataset_id")
        ),
        sa.UniqueConstraint(
            "provider_id",
            "short_name",
            "version_id",
            name=op.f("uq_collections_provider_id_short_name_version_id"),
        ),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_provider_id", sa.String(length=40), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["owner_provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_groups_owner_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_groups_name")),
    )
    op.create_table(
        "ingest_jobs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column(
            "file_kind",
            sa.Enum(
                "collection",
                "granule",
                "browse",
                "update",
                name="file_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("archive_path", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "running",
                "done",
                "rejected",
                "failed",
                name="job_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("worker", sa.Text(), nullable=True),
        sa.Column("batches_done", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_ingest_jobs_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_jobs")),
    )
    op.create_index(
        "ix_ingest_jobs_open",
        "ingest_jobs",
        ["provider_id", "id"],
        unique=False,
        postgresql_where=sa.text("status IN ('pending', 'running')"),
    )
    op.create_index(
        op.f("ix_ingest_jobs_provider_id"), "ingest_jobs", ["provider_id"], unique=False
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=True),
        sa.Column(
            "user_information",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_orders_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_user_id"), "orders", ["user_id"], unique=False)
    op.create_table(
        "phones",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_phones_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phones")),
    )
    op.create_index(op.f("ix_phones_user_id"), "phones", ["user_id"], unique=False)
    op.create_table(
        "sessions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("client_id", sa.Text(), nullable=True),
        sa.Column("provider_id", sa.String(length=40), nullable=True),
        sa.Column("acting_user_id", sa.BigInteger(), nullable=True),
        sa.Column("remote_address", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "last_seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["acting_user_id"],
            ["users.id"],
            name=op.f("fk_sessions_acting_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_sessions_provider_id_providers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    op.create_table(
        "user_providers",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_user_providers_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_providers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "provider_id", name=op.f("pk_user_providers")),
    )
    op.create_table(
        "access_rules",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("collection_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "permission",
            sa.Enum("read", "order", name="permission", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "grantee",
            sa.Enum(
                "guest",
                "registered",
                "group",
                name="grantee",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("group_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(grantee = 'group') = (group_id IS NOT NULL)",
            name=op.f("ck_access_rules_group_iff_grantee"),
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_access_rules_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_access_rules_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_access_rules_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_rules")),
    )
    op.create_index(
        op.f("ix_access_rules_provider_id"), "access_rules", ["provider_id"], unique=False
    )
    op.create_table(
        "collection_browse",
        sa.Column("collection_id", sa.BigInteger(), nullable=False),
        sa.Column("browse_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["browse_id"],
            ["browse_images.id"],
            name=op.f("fk_collection_browse_browse_id_browse_images"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_collection_browse_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", "browse_id", name=op.f("pk_collection_browse")),
    )
    op.create_index(
        op.f("ix_collection_browse_browse_id"), "collection_browse", ["browse_id"], unique=False
    )
    op.create_table(
        "granules",
        sa.Column("collection_id", sa.BigInteger(), nullable=False),
        sa.Column("granule_ur", sa.String(length=250), nullable=False),
        sa.Column("producer_granule_id", sa.Text(), nullable=True),
        sa.Column(
            "day_night_flag",
            sa.Enum(
                "DAY",
                "NIGHT",
                "BOTH",
                "UNSPECIFIED",
                name="day_night_flag",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("cloud_cover", sa.Double(), nullable=True),
        sa.Column(
            "orbit_numbers", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False
        ),
        sa.Column(
            "measured_parameters",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("insert_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_update", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delete_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visible", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("orderable", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("restriction_flag", sa.Numeric(), nullable=True),
        sa.Column("online_only", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("browse_available", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("temporal_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("temporal_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at_present", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("platforms", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("instruments", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("sensors", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("campaigns", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column(
            "additional_attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_granules_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_granules_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_granules")),
        sa.UniqueConstraint(
            "provider_id", "granule_ur", name=op.f("uq_granules_provider_id_granule_ur")
        ),
    )
    op.create_index(
        "ix_granules_collection_id_temporal",
        "granules",
        ["collection_id", "temporal_start"],
        unique=False,
    )
    op.create_index(
        "ix_granules_live_collection_id",
        "granules",
        ["collection_id", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_members_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_members")),
    )
    op.create_index(op.f("ix_group_members_user_id"), "group_members", ["user_id"], unique=False)
    op.create_table(
        "ingest_reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("processed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("inserted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("replaced", sa.Integer(), server_default="0", nullable=False),
        sa.Column("deleted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("out_of_date", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duplicated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("invalid_spatial", sa.Integer(), server_default="0", nullable=False),
        sa.Column("data_errors", sa.Integer(), server_default="0", nullable=False),
        sa.Column("without_collection", sa.Integer(), server_default="0", nullable=False),
        sa.Column("delete_missing", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "file_errors",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("xml", sa.Text(), nullable=True),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["ingest_jobs.id"],
            name=op.f("fk_ingest_reports_job_id_ingest_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_reports")),
        sa.UniqueConstraint("job_id", name=op.f("uq_ingest_reports_job_id")),
    )
    op.create_table(
        "option_definitions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column("collection_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.id"],
            name=op.f("fk_option_definitions_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_option_definitions_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_option_definitions")),
        sa.UniqueConstraint(
            "provider_id",
            "collection_id",
            "name",
            name=op.f("uq_option_definitions_provider_id_collection_id_name"),
        ),
    )
    op.create_table(
        "provider_orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("provider_id", sa.String(length=40), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "NOT_VALIDATED",
                "VALIDATED",
                "QUOTING",
                "QUOTED",
                "QUOTE_FAILED",
                "QUOTE_REJECTED",
                "SUBMITTING",
                "PROCESSING",
                "CANCELLING",
                "DELETED",
                "SUBMIT_FAILED",
                "SUBMIT_REJECTED",
                "CANCELLED",
                "CLOSED",
                name="provider_order_state",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="NOT_VALIDATED",
            nullable=False,
        ),
        sa.Column("tracking_id", sa.Text(), nullable=True),
        sa.Column("total_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column(
            "price_details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("quote_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_provider_orders_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.provider_id"],
            name=op.f("fk_provider_orders_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_orders")),
        sa.UniqueConstraint(
            "order_id", "provider_id", name=op.f("uq_provider_orders_order_id_provider_id")
        ),
    )
    op.create_index(
        op.f("ix_provider_orders_provider_id"), "provider_orders", ["provider_id"], unique=False
    )
    op.create_table(
        "dispatch_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("provider_order_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "transaction",
            sa.Enum(
                "QUOTE",
                "SUBMIT",
                "CANCEL",
                name="transaction",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "request_id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False
        ),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "done",
                "failed",
                name="dispatch_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_order_id"],
            ["provider_orders.id"],
            name=op.f("fk_dispatch_requests_provider_order_id_provider_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_requests")),
        sa.UniqueConstraint("request_id", name=op.f("uq_dispatch_requests_request_id")),
    )
    op.create_index(
        "ix_dispatch_requests_due",
        "dispatch_requests",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        op.f("ix_dispatch_requests_provider_order_id"),
        "dispatch_requests",
        ["provider_order_id"],
        unique=False,
    )
    op.create_table(
        "granule_browse",
        sa.Column("granule_id", sa.BigInteger(), nullable=False),
        sa.Column("browse_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["browse_id"],
            ["browse_images.id"],
            name=op.f("fk_granule_browse_browse_id_browse_images"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granule_id"],
            ["granules.id"],
            name=op.f("fk_granule_browse_granule_id_granules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("granule_id", "browse_id", name=op.f("pk_granule_browse")),
    )
    op.create_index(
        op.f("ix_granule_browse_browse_id"), "granule_browse", ["browse_id"], unique=False
    )
    op.create_table(
        "ingest_errors",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["ingest_reports.id"],
            name=op.f("fk_ingest_errors_report_id_ingest_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_errors")),
    )
    op.create_index(
        op.f("ix_ingest_errors_report_id"), "ingest_errors", ["report_id"], unique=False
    )
    op.create_table(
        "order_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("provider_order_id", sa.BigInteger(), nullable=False),
        sa.Column("catalog_item_id", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), server_default="1", nullable=False),
        sa.Column("option_selection", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_items_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_order_id"],
            ["provider_orders.id"],
            name=op.f("fk_order_items_provider_order_id_provider_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
    )
    op.create_index(op.f("ix_order_items_order_id"), "order_items", ["order_id"], unique=False)
    op.create_index(
        op.f("ix_order_items_provider_order_id"), "order_items", ["provider_order_id"], unique=False
    )
    op.create_table(
        "status_messages",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("provider_order_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "NOT_VALIDATED",
                "VALIDATED",
                "QUOTING",
                "QUOTED",
                "QUOTE_FAILED",
                "QUOTE_REJECTED",
                "SUBMITTING",
                "PROCESSING",
                "CANCELLING",
                "DELETED",
                "SUBMIT_FAILED",
                "SUBMIT_REJECTED",
                "CANCELLED",
                "CLOSED",
                name="provider_order_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["provider_order_id"],
            ["provider_orders.id"],
            name=op.f("fk_status_messages_provider_order_id_provider_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_messages")),
    )
    op.create_index(
        op.f("ix_status_messages_provider_order_id"),
        "status_messages",
        ["provider_order_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_status_messages_provider_order_id"), table_name="status_messages")
    op.drop_table("status_messages")
    op.drop_index(op.f("ix_order_items_provider_order_id"), table_name="order_items")
    op.drop_index(op.f("ix_order_items_order_id"), table_name="order_items")
    op.drop_table("order_items")
    op.drop_index(op.f("ix_ingest_errors_report_id"), table_name="ingest_errors")
    op.drop_table("ingest_errors")
    op.drop_index(op.f("ix_granule_browse_browse_id"), table_name="granule_browse")
    op.drop_table("granule_browse")
    op.drop_index(op.f("ix_dispatch_requests_provider_order_id"), table_name="dispatch_requests")
    op.drop_index(
        "ix_dispatch_requests_due",
        table_name="dispatch_requests",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_table("dispatch_requests")
    op.drop_index(op.f("ix_provider_orders_provider_id"), table_name="provider_orders")
    op.drop_table("provider_orders")
    op.drop_table("option_definitions")
    op.drop_table("ingest_reports")
    op.drop_index(op.f("ix_group_members_user_id"), table_name="group_members")
    op.drop_table("group_members")
    op.drop_index(
        "ix_granules_live_collection_id",
        table_name="granules",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index("ix_granules_collection_id_temporal", table_name="granules")
    op.drop_table("granules")
    op.drop_index(op.f("ix_collection_browse_browse_id"), table_name="collection_browse")
    op.drop_table("collection_browse")
    op.drop_index(op.f("ix_access_rules_provider_id"), table_name="access_rules")
    op.drop_table("access_rules")
    op.drop_table("user_providers")
    op.drop_table("sessions")
    op.drop_index(op.f("ix_phones_user_id"), table_name="phones")
    op.drop_table("phones")
    op.drop_index(op.f("ix_orders_user_id"), table_name="orders")
    op.drop_table("orders")
    op.drop_index(op.f("ix_ingest_jobs_provider_id"), table_name="ingest_jobs")
    op.drop_index(
        "ix_ingest_jobs_open",
        table_name="ingest_jobs",
        postgresql_where=sa.text("status IN ('pending', 'running')"),
    )
    op.drop_table("ingest_jobs")
    op.drop_table("groups")
    op.drop_table("collections")
    op.drop_table("browse_images")
    op.drop_index(op.f("ix_addresses_user_id"), table_name="addresses")
    op.drop_table("addresses")
    op.drop_index("uq_users_username_lower", table_name="users")
    op.drop_table("users")
    op.drop_table("providers")
    op.execute("DROP EXTENSION IF EXISTS postgis")
