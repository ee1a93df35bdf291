"""The clearinghouse: Earth-science metadata catalog and order broker."""

__version__ = "0.1.0"
