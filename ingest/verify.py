"""Comparing a record with the catalog's copy, for ``…Verifications``: the first difference."""

from __future__ import annotations

from lxml import etree


def first_difference(
    stored: etree._Element, incoming: etree._Element, path: str = ""
) -> str | None:
    """Where the two records first differ (an element path and what differs), or None."""
    here = f"{path}/{incoming.tag}" if path else incoming.tag
    if stored.tag != incoming.tag:
        return f"{here}: {stored.tag} in the catalog"
    old_text, new_text = (stored.text or "").strip(), (incoming.text or "").strip()
    if old_text != new_text:
        return f"{here}: {old_text!r} in the catalog, {new_text!r} here"
    old = [c for c in stored if isinstance(c.tag, str)]
    new = [c for c in incoming if isinstance(c.tag, str)]
    for a, b in zip(old, new, strict=False):
        found = first_difference(a, b, here)
        if found is not None:
            return found
    if len(old) != len(new):
        extra = new[len(old)].tag if len(new) > len(old) else old[len(new)].tag
        where = "here only" if len(new) > len(old) else "in the catalog only"
        return f"{here}/{extra}: {where}"
    return None
