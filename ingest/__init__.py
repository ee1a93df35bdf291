"""Ingest: partners' drop boxes, the metadata pipeline, and its reports."""
