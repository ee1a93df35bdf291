"""Providers, users, sessions, groups and access-control rules."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearinghouse.db.base import Base, id_column, now_column, text_enum, touched_column


class OrderMode(enum.Enum):
    SYNC = "sync"
    ASYNC = "async"


class Transaction(enum.Enum):
    QUOTE = "QUOTE"
    SUBMIT = "SUBMIT"
    CANCEL = "CANCEL"


class Provider(Base):
    """A data partner: its FTP drop box account, its contact, and its order policy."""

    __tablename__ = "providers"
    __table_args__ = (
        CheckConstraint("provider_id ~ '^[A-Z0-9_]{1,40}$'", name="provider_id_format"),
        CheckConstraint("retry_attempts >= 0", name="retry_attempts_not_negative"),
        CheckConstraint("retry_wait_seconds >= 0", name="retry_wait_not_negative"),
    )

    provider_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str] = mapped_column(Text)
    ftp_password_hash: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    ingest_paused: Mapped[bool] = mapped_column(Boolean, server_default="false")
    order_endpoint: Mapped[str | None] = mapped_column(Text)
    order_mode: Mapped[OrderMode] = mapped_column(
        text_enum(OrderMode, "order_mode"), server_default=OrderMode.SYNC.value
    )
    retry_attempts: Mapped[int] = mapped_column(Integer, server_default="3")
    retry_wait_seconds: Mapped[int] = mapped_column(Integer, server_default="60")
    supported_transactions: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default="{QUOTE,SUBMIT,CANCEL}"
    )
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = touched_column()


user_providers = Table(
    "user_providers",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "provider_id", ForeignKey("providers.provider_id", ondelete="CASCADE"), primary_key=True
    ),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_username_lower", text("lower(username)"), unique=True),)

    id: Mapped[int] = id_column()
    username: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default="false")
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    failed_logins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = touched_column()

    providers: Mapped[list[Provider]] = relationship(secondary=user_providers)
    addresses: Mapped[list[Address]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    phones: Mapped[list[Phone]] = relationship(back_populates="user", cascade="all, delete-orphan")


class AddressKind(enum.Enum):
    SHIPPING = "shipping"
    BILLING = "billing"
    CONTACT = "contact"


class Address(Base):
    """One of a user's addresses, named by the user (ECHO's AddressId); ``kind`` says which use, if
    any, it is the user's choice for."""

    __tablename__ = "addresses"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = id_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    us_format: Mapped[bool] = mapped_column(Boolean, server_default="true")
    kind: Mapped[AddressKind | None] = mapped_column(text_enum(AddressKind, "address_kind"))
    street: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    city: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(back_populates="addresses")


class Phone(Base):
    __tablename__ = "phones"

    id: Mapped[int] = id_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(back_populates="phones")


class ApiSession(Base):
    """A client session. Only its token's hash is stored: a copy of the table opens nothing."""

    __tablename__ = "sessions"

    id: Mapped[int] = id_column()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.provider_id", ondelete="SET NULL")
    )
    acting_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    remote_address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()
    last_seen_at: Mapped[datetime] = now_column()
    ended_at: Mapped[datetime | None]


class LoginAttempt(Base):
    """Every login attempt: the audit trail, and what per-address throttling counts."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_remote_address_at", "remote_address", "at"),)

    id: Mapped[int] = id_column()
    username: Mapped[str | None] = mapped_column(Text)
    remote_address: Mapped[str | None] = mapped_column(Text)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = now_column()


group_members = Table(
    "group_members",
    Base.metadata,
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    owner_provider_id: Mapped[str | None] = mapped_column(
        ForeignKey("providers.provider_id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = now_column()

    members: Mapped[list[User]] = relationship(secondary=group_members)


class Grantee(enum.Enum):
    GUEST = "guest"
    REGISTERED = "registered"
    GROUP = "group"


class Permission(enum.Enum):
    READ = "read"
    ORDER = "order"


class AccessRule(Base):
    """Grants a grantee read or order access to a provider's collections (all, or one).

    A provider with no rule for a permission keeps the default: readable by everyone, orderable by
    registered users. Once a provider has a rule for a permission, only its rules grant it.
    """

    __tablename__ = "access_rules"
    __table_args__ = (
        CheckConstraint("(grantee = 'group') = (group_id IS NOT NULL)", name="group_iff_grantee"),
    )

    id: Mapped[int] = id_column()
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("providers.provider_id", ondelete="CASCADE"), index=True
    )
    collection_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("collections.id", ondelete="CASCADE")
    )
    permission: Mapped[Permission] = mapped_column(text_enum(Permission, "permission"))
    grantee: Mapped[Grantee] = mapped_column(text_enum(Grantee, "grantee"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = now_column()
