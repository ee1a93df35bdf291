"""The order broker: option definitions, orders, provider orders and partner dispatch."""
