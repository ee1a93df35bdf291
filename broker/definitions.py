"""Partners' option definitions, kept per provider for all its collections or for one, and the
definitions that apply to an item: its collection's own, and the provider's for all collections
(a collection's definition of a name replaces the provider's)."""

from __future__ import annotations

from typing import Any

from lxml import etree
from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from broker.models import OptionDefinition
from broker.options import check_selection, parse_definition, stored_selections
from clearinghouse.catalog.conditions import parse_item_ids
from clearinghouse.catalog.models import Collection
from clearinghouse.errors import NotFound

MAX_DEFINITIONS = 200


def collection_of(session: Session, provider_id: str, catalog_item_id: str | None) -> int | None:
    """The collection a definition is for (None: all the provider's collections)."""
    if catalog_item_id is None:
        return None
    [(number, owner)] = parse_item_ids("C", [catalog_item_id], "CatalogItemId")
    found = session.scalar(
        select(Collection.id).where(
            Collection.id == number,
            Collection.provider_id == provider_id,
            Collection.deleted_at.is_(None),
        )
    )
    if owner != provider_id or found is None:
        raise NotFound(f"provider {provider_id} has no collection {catalog_item_id}")
    return found


def put(
    session: Session, provider_id: str, collection_id: int | None, element: etree._Element
) -> dict[str, Any]:
    """Add a definition, or replace the one of the same name and scope."""
    tree = parse_definition(element)
    session.execute(
        insert(OptionDefinition)
        .values(
            provider_id=provider_id, collection_id=collection_id, name=tree["name"], definition=tree
        )
        .on_conflict_do_update(
            constraint="uq_option_definitions_provider_id_collection_id_name",
            set_={"definition": tree, "updated_at": func.now()},
        )
    )
    return tree


def remove(session: Session, provider_id: str, collection_id: int | None, name: str) -> None:
    scope = (
        OptionDefinition.collection_id.is_(None)
        if collection_id is None
        else OptionDefinition.collection_id == collection_id
    )
    gone = session.execute(
        delete(OptionDefinition).where(
            OptionDefinition.provider_id == provider_id, OptionDefinition.name == name, scope
        )
    )
    if gone.rowcount == 0:
        raise NotFound(f"there is no option definition {name} here")


def listed(
    session: Session,
    provider_id: str,
    collection_id: int | None = None,
    *,
    everything: bool = False,
) -> list[OptionDefinition]:
    query = select(OptionDefinition).where(OptionDefinition.provider_id == provider_id)
    if not everything:
        query = query.where(
            OptionDefinition.collection_id.is_(None)
            if collection_id is None
            else OptionDefinition.collection_id == collection_id
        )
    return list(
        session.scalars(
            query.order_by(OptionDefinition.collection_id.nulls_first(), OptionDefinition.name)
        )
    )


def applicable(session: Session, provider_id: str, collection_id: int | None) -> list[dict]:
    rows = session.execute(
        select(OptionDefinition.name, OptionDefinition.collection_id, OptionDefinition.definition)
        .where(
            OptionDefinition.provider_id == provider_id,
            or_(
                OptionDefinition.collection_id.is_(None),
                OptionDefinition.collection_id == collection_id,
            ),
        )
        .order_by(OptionDefinition.collection_id.nulls_first(), OptionDefinition.name)
    ).all()
    by_name: dict[str, dict] = {}
    for name, _, definition in rows:  # the collection's own come last and win
        by_name[name] = definition
    return list(by_name.values())


def recheck(stored: list[dict[str, Any]], definitions: list[dict], cipher) -> None:
    """Check a stored selection against the definitions as they are now."""
    check_selection(stored_selections(stored, cipher) or None, definitions, cipher)
