"""OGC OSEO 1.0 (OGC 06-141r6): the broker through the standard door."""
