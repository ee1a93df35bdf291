"""The smaller parts of a UMM-C record, read from ECHO 10 as CMR's ``xml_to_umm_mappings/
echo10.clj`` reads them: associations, tiling systems, DOIs, use constraints, S3 access."""

from __future__ import annotations

from lxml import etree

from clearinghouse.catalog.umm._xml import (
    NOT_PROVIDED,
    boolean,
    compact,
    instant,
    number,
    text,
    texts,
)

# The tiling systems UMM-C names; CMR drops the others. The grid reference system's coordinates
# are letters, every other's numbers.
_MGRS = "Military Grid Reference System"
_TILING_SYSTEMS = {
    _MGRS,
    "CALIPSO",
    "MISR",
    "MODIS Tile EASE",
    "MODIS Tile SIN",
    "VIIRS Rotated Sinusoidal Tiling System",
    "WELD Alaska Tile",
    "WELD CONUS Tile",
    "WRS-1",
    "WRS-2",
}


def metadata_dates(c: etree._Element) -> list[dict]:
    # ECHO 10 has one date of the metadata itself: its revision.
    revised = instant(c, "RevisionDate")
    return [{"Type": "UPDATE", "Date": revised}] if revised else []


def metadata_associations(c: etree._Element) -> list[dict]:
    out = []
    for a in c.findall("CollectionAssociations/CollectionAssociation"):
        version, kind = text(a, "VersionId"), text(a, "CollectionType")
        out.append(
            {
                "EntryId": text(a, "ShortName"),
                "Version": None if version == NOT_PROVIDED else version,
                "Type": None if kind in (None, NOT_PROVIDED) else kind.upper(),
                "Description": text(a, "CollectionUse"),
            }
        )
    return out


def _coordinate(system: etree._Element, name: str, letters: bool) -> dict | None:
    found = system.find(name)
    if found is None:
        return None
    read = text if letters else number
    # An empty coordinate stays an empty object, as CMR writes it: UMM-C requires both.
    return compact(
        {"MinimumValue": read(found, "MinimumValue"), "MaximumValue": read(found, "MaximumValue")}
    )


def tiling_systems(c: etree._Element) -> list[dict]:
    """Already compacted: the record's compaction would drop an empty coordinate."""
    out = []
    for system in c.findall("TwoDCoordinateSystems/TwoDCoordinateSystem"):
        name = text(system, "TwoDCoordinateSystemName")
        if name not in _TILING_SYSTEMS:
            continue
        letters = _MGRS in name
        tiling = {"TilingIdentificationSystemName": name}
        for axis in ("Coordinate1", "Coordinate2"):
            if (coordinate := _coordinate(system, axis, letters)) is not None:
                tiling[axis] = coordinate
        out.append(tiling)
    return out


def associated_dois(c: etree._Element) -> list[dict]:
    fields = ("DOI", "Title", "Authority", "Type", "DescriptionOfOtherType")
    return [{f: text(d, f) for f in fields} for d in c.findall("AssociatedDOIs/AssociatedDOI")]


def use_constraints(c: etree._Element) -> dict | None:
    u = c.find("UseConstraints")
    if u is None:
        return None
    license_url = None
    if text(u, "LicenseURL/URL"):
        license_url = {
            "Linkage": text(u, "LicenseURL/URL"),
            "Name": text(u, "LicenseURL/Type"),
            "Description": text(u, "LicenseURL/Description"),
            "MimeType": text(u, "LicenseURL/MimeType"),
        }
    return {
        "Description": text(u, "Description"),
        "FreeAndOpenData": boolean(u, "FreeAndOpenData"),
        "EULAIdentifiers": texts(u, "EULAIdentifier"),
        "LicenseURL": license_url,
        "LicenseText": text(u, "LicenseText"),
    }


def direct_distribution(c: etree._Element) -> dict | None:
    d = c.find("DirectDistributionInformation")
    if d is None:
        return None
    return {
        "Region": text(d, "Region"),
        "S3BucketAndObjectPrefixNames": texts(d, "S3BucketAndObjectPrefixName"),
        "S3CredentialsAPIEndpoint": text(d, "S3CredentialsAPIEndpoint"),
        "S3CredentialsAPIDocumentationURL": text(d, "S3CredentialsAPIDocumentationURL"),
    }
