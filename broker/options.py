"""The order option framework (CONTRACT §7.3, seed slides 63–70), in one place for its callers.

Definitions (``option_definitions``): a provider's ``<OptionDefinition>`` tree, checked and kept as
JSON. Selections (``option_selections``): a user's choices as ``Selection`` values (each door
translates its own format), checked against the root
definitions that apply to an item, kept as JSON with encrypted options' values encrypted
(``broker.crypto``), and shown masked to clients, in clear only to the partner.
"""

from __future__ import annotations

from broker.option_definitions import (
    COMPLEX_TYPES,
    MAX_DEPTH,
    MAX_NAME_LENGTH,
    MAX_NODES,
    PRIMITIVE_TYPES,
    Node,
    definition_element,
    parse_definition,
)
from broker.option_selections import (
    MASK,
    MAX_SELECTIONS,
    MAX_VALUE_BYTES,
    InvalidOptionSelection,
    OptionProblem,
    Selection,
    check_selection,
    masked,
    selection_element,
    stored_selections,
)

__all__ = [
    "COMPLEX_TYPES",
    "MASK",
    "MAX_DEPTH",
    "MAX_NAME_LENGTH",
    "MAX_NODES",
    "MAX_SELECTIONS",
    "MAX_VALUE_BYTES",
    "PRIMITIVE_TYPES",
    "InvalidOptionSelection",
    "Node",
    "OptionProblem",
    "Selection",
    "check_selection",
    "definition_element",
    "masked",
    "parse_definition",
    "selection_element",
    "stored_selections",
]
