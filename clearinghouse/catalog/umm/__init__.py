"""ECHO 10 records as UMM-JSON (UMM-G for granules, UMM-C for collections), following CMR's own
ECHO 10 -> UMM mapping. Pure functions of the stored record: no database, no Flask."""

from clearinghouse.catalog.umm.collection import VERSION as collection_version
from clearinghouse.catalog.umm.collection import collection
from clearinghouse.catalog.umm.granule import VERSION as granule_version
from clearinghouse.catalog.umm.granule import granule

__all__ = ["collection", "collection_version", "granule", "granule_version"]
