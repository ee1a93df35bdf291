"""Partial metadata updates (``…PartialAdds``, ``…PartialDeletes``) applied to a stored record.

A field names what changes and the record's XML is edited in place: a keyed item of a list (an
online access URL by its URL, a measured parameter by its name, an additional attribute by its
name, a browse link by its id or URL) is replaced or added; a single value (delete time, cloud
cover, visibility, restriction flag, day/night flag) is set; temporal and spatial coverage are
replaced whole. Deletes remove the keyed item, or the whole element, or every item (``All…``).
New elements go where the ECHO 10 sequence puts them. The edited record is checked again before it
is stored, so an update can never leave an invalid record behind.

The backward-compatible ``UpdateTargetFields`` (change only some parts of the keyed item) and
``OldValue`` (find the item by its old key) are honoured too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from ingest.checks import Checker


class UpdateError(Exception):
    """A field that cannot be applied to this record."""


@dataclass(frozen=True)
class Keyed:
    """A list of keyed items inside a record: container, item tag, and the key's path."""

    container: str
    item: str
    key: str | None  # None: the item's own text is its key


#: Add/delete field → where it lives in a granule or collection.
KEYED = {
    "granule": {
        "BrowseImage": Keyed("AssociatedBrowseImages", "ProviderBrowseId", None),
        "BrowseImageUrl": Keyed("AssociatedBrowseImageUrls", "ProviderBrowseUrl", "URL"),
        "OnlineAccessURL": Keyed("OnlineAccessURLs", "OnlineAccessURL", "URL"),
        "OnlineResource": Keyed("OnlineResources", "OnlineResource", "URL"),
        "MeasuredParameter": Keyed("MeasuredParameters", "MeasuredParameter", "ParameterName"),
        "AdditionalAttribute": Keyed("AdditionalAttributes", "AdditionalAttribute", "Name"),
    },
    "collection": {
        "BrowseImage": Keyed("AssociatedBrowseImages", "ProviderBrowseId", None),
        "BrowseImageUrl": Keyed("AssociatedBrowseImageUrls", "ProviderBrowseUrl", "URL"),
        "ScienceKeyword": Keyed("ScienceKeywords", "ScienceKeyword", None),
    },
}
#: Single-valued fields, and where they sit (DayNightFlag lives inside DataGranule).
SIMPLE = {"DeleteTime", "CloudCover", "RestrictionFlag", "Visible", "DayNightFlag"}
WHOLE = {"Temporal", "Spatial"}
ALL = {
    "AllOnlineAccessURLs": "OnlineAccessURLs",
    "AllOnlineResources": "OnlineResources",
    "AllAdditionalAttributes": "AdditionalAttributes",
}
#: UpdateTargetFields → the parts of an item they name.
TARGET_PARTS = {
    "URL": ("URL",),
    "VALUE": ("Values", "Value"),
    "NAME": ("Name", "ParameterName"),
    "MIME_TYPE": ("MimeType",),
    "DESCRIPTION": ("URLDescription", "Description"),
    "TYPE": ("Type",),
    "AUTO_QUALITY_FLAG": ("QAFlags/AutomaticQualityFlag",),
    "AUTO_QUALITY_FLAG_EX": ("QAFlags/AutomaticQualityFlagExplanation",),
    "OP_QUALITY_FLAG": ("QAFlags/OperationalQualityFlag",),
    "OP_QUALITY_FLAG_EX": ("QAFlags/OperationalQualityFlagExplanation",),
    "SCIENCE_QUALITY_FLAG": ("QAFlags/ScienceQualityFlag",),
    "SCIENCE_QUALITY_FLAG_EX": ("QAFlags/ScienceQualityFlagExplanation",),
}


class Editor:
    """Edits records of one kind ("collection" or "granule") in ECHO 10 order."""

    def __init__(self, kind: str):
        self.kind = kind
        self.checker = Checker(kind)
        self.record_tag = "Granule" if kind == "granule" else "Collection"
        self.holds = self.checker.holds_at(f"{self.record_tag}s", self.record_tag)

    def add(self, record: etree._Element, field: etree._Element) -> None:
        """Apply one ``Field`` of a partial add."""
        value, *extras = [child for child in field if isinstance(child.tag, str)]
        options = {e.tag: e for e in extras}
        name = value.tag
        keyed = KEYED[self.kind].get(name)
        if keyed is not None:
            self._add_keyed(record, keyed, value, options)
        elif name in WHOLE:
            self._put(record, copy.deepcopy(value), replace=True)
        elif name == "DayNightFlag":
            data = record.find("DataGranule")
            if data is None:
                raise UpdateError("the granule has no DataGranule to hold a DayNightFlag")
            data.find("DayNightFlag").text = value.text
        elif name in SIMPLE:
            self._put(record, copy.deepcopy(value), replace=True)
        else:
            raise UpdateError(f"{name} cannot be added by a partial update")

    def delete(self, record: etree._Element, field: etree._Element) -> None:
        """Apply one ``Field`` of a partial delete."""
        (value,) = [child for child in field if isinstance(child.tag, str)]
        name = value.tag
        keyed = KEYED[self.kind].get(name)
        if keyed is not None:
            key = (value.text or "").strip() if keyed.key is None or len(value) == 0 else None
            if key is None:  # a ScienceKeyword: matched whole
                key = _canonical(value)
            container = record.find(keyed.container)
            found = self._find(container, keyed, key) if container is not None else None
            if found is None:
                raise UpdateError(f"the record has no {name} {key!r} to delete")
            container.remove(found)
            if len(container) == 0:
                record.remove(container)
        elif name == "AllBrowseImages":
            for tag in ("AssociatedBrowseImages", "AssociatedBrowseImageUrls"):
                _remove(record, tag)
        elif name in ALL:
            _remove(record, ALL[name])
        elif name == "DayNightFlag":
            data = record.find("DataGranule")
            if data is not None:  # required there: deleting sets it to its default
                data.find("DayNightFlag").text = "UNSPECIFIED"
        elif name in SIMPLE or name in WHOLE:
            _remove(record, name)
        else:
            raise UpdateError(f"{name} cannot be deleted by a partial update")

    def apply(self, adding: bool, record, fields, last_update: str | None) -> None:
        """Apply every field (all or nothing is up to the caller, who edits a copy), set the
        LastUpdate the target gave (ECHO's SaveDateTimeFlag: a given date is saved), check."""
        for field in fields:
            (self.add if adding else self.delete)(record, field)
        if last_update is not None:
            record.find("LastUpdate").text = last_update
        self.check(record)

    def check(self, record: etree._Element) -> None:
        problems = self.checker.check(record, self.holds)
        if problems:
            raise UpdateError(f"the update would make the record invalid: {problems[0]}")

    # -- helpers ---------------------------------------------------------------------------------

    def _add_keyed(self, record, keyed: Keyed, value, options) -> None:
        item = copy.deepcopy(value)
        item.tag = keyed.item
        key = _key(item, keyed)
        old = options.get("OldValue")
        lookup = (old.text or "").strip() if old is not None else key
        container = record.find(keyed.container)
        if container is None:
            container = etree.Element(keyed.container)
            self._put(record, container, replace=False)
        found = self._find(container, keyed, lookup)
        targets = options.get("UpdateTargetFields")
        if found is not None and targets is not None and len(targets):
            for target in targets:
                for part in TARGET_PARTS[(target.text or "").strip()]:
                    _replace_part(found, item, part)
            return
        if found is not None:
            found.addnext(item)
            container.remove(found)
        else:
            container.append(item)

    def _find(self, container, keyed: Keyed, key: str):
        for item in container:
            if isinstance(item.tag, str) and _key(item, keyed) == key:
                return item
        return None

    def _put(self, record, element, *, replace: bool) -> None:
        """Place ``element`` among the record's children in schema order (replacing its
        namesake)."""
        existing = record.find(element.tag)
        if existing is not None and replace:
            existing.addnext(element)
            record.remove(existing)
            return
        order = self.checker.order(self.holds["complex"])
        rank = order.index(element.tag)
        for child in record:
            if isinstance(child.tag, str) and child.tag in order and order.index(child.tag) > rank:
                child.addprevious(element)
                return
        record.append(element)


def _key(item: etree._Element, keyed: Keyed) -> str:
    if keyed.key is None:
        return (item.text or "").strip() if len(item) == 0 else _canonical(item)
    return (item.findtext(keyed.key) or "").strip()


def _canonical(element: etree._Element) -> str:
    return "/".join((child.text or "").strip() for child in element if isinstance(child.tag, str))


def _replace_part(found: etree._Element, new: etree._Element, part: str) -> None:
    incoming = new.find(part)
    current = found.find(part)
    if incoming is None:
        if current is not None:
            current.getparent().remove(current)
        return
    if current is not None:
        current.getparent().replace(current, copy.deepcopy(incoming))
        return
    parent_path, _, _ = part.rpartition("/")
    parent = found.find(parent_path) if parent_path else found
    if parent is None:
        parent = etree.SubElement(found, parent_path)
    parent.append(copy.deepcopy(incoming))


def _remove(record: etree._Element, tag: str) -> None:
    for found in record.findall(tag):
        record.remove(found)
