"""The broker's typed API: what every door (the ECHO message API, OSEO, the web console, the
client toolkit) calls to order, in values, never in a door's XML. Each door translates its own
format into these values at its edge and renders the errors from their fields:

- :class:`NewItem` (an item to add or change) and :class:`Selection` (an option chosen);
- :class:`Address` (where to ship), :class:`Quote` (a partner's price for its part);
- :class:`InvalidOptionSelection` (``item`` and each :class:`OptionProblem`'s ``path``),
  :class:`ItemForbidden`, :class:`ItemNotFound`, :class:`ItemConflict` (``items``), all
  ``clearinghouse.errors`` classes carrying code, status and message.

The functions take the caller's SQLAlchemy session and commit nothing: the door's transaction
holds the whole call.
"""

from __future__ import annotations

from broker.definitions import applicable as applicable_definitions
from broker.errors import ItemConflict, ItemForbidden, ItemNotFound
from broker.option_selections import (
    InvalidOptionSelection,
    OptionProblem,
    Selection,
    check_selection,
)
from broker.orders import (
    MAX_QUANTITY,
    Address,
    NewItem,
    Quote,
    add_items,
    cancel_order,
    catalog_items,
    create_order,
    delete_order,
    find_order,
    order_key,
    provider_orders,
    quote_order,
    quotes,
    remove_items,
    set_user_information,
    ship_to,
    submit_order,
    update_items,
    user_orders,
    validate_order,
)
from broker.provider_orders import add_access_urls, find_provider_order

__all__ = [
    "MAX_QUANTITY",
    "Address",
    "InvalidOptionSelection",
    "ItemConflict",
    "ItemForbidden",
    "ItemNotFound",
    "NewItem",
    "OptionProblem",
    "Quote",
    "Selection",
    "add_access_urls",
    "add_items",
    "applicable_definitions",
    "cancel_order",
    "catalog_items",
    "check_selection",
    "create_order",
    "delete_order",
    "find_order",
    "find_provider_order",
    "order_key",
    "provider_orders",
    "quote_order",
    "quotes",
    "remove_items",
    "set_user_information",
    "ship_to",
    "submit_order",
    "update_items",
    "user_orders",
    "validate_order",
]
