"""A collection's data centers and contact persons from ECHO 10's Contacts, ArchiveCenter and
ProcessingCenter, as CMR's ``umm-spec-lib`` ``echo10/data_contact.clj`` reads them. ECHO 10's
Contact holds both a data center and its people; one with CMR's writer's default role and no
organization only carries people of the collection itself."""

from __future__ import annotations

from lxml import etree

from clearinghouse.catalog.umm._xml import NOT_PROVIDED, text, texts

SHORT_NAME_MAX = 85
_PEOPLE_ONLY_ROLE = "TECHNICAL CONTACT"
_CENTER_ROLES = {
    "archiver": "ARCHIVER",
    "archive": "ARCHIVER",
    "archiving data center": "ARCHIVER",
    "custodian": "ARCHIVER",
    "data manager": "ARCHIVER",
    "internal data center": "ARCHIVER",
    "data center contact": "ARCHIVER",
    "distributor": "DISTRIBUTOR",
    "data originator": "ORIGINATOR",
    "author": "ORIGINATOR",
    "originator": "ORIGINATOR",
    "processor": "PROCESSOR",
    "producer": "PROCESSOR",
}
_PERSON_ROLES = {
    "data center contact": "Data Center Contact",
    "primary contact": "Data Center Contact",
    "technical contact": "Technical Contact",
    "product team leader": "Technical Contact",
    "technical contact for science": "Science Contact",
    "glas science team leader": "Science Contact",
    "icesat project scientist": "Science Contact",
    "investigator": "Investigator",
    "associate principal investigator": "Investigator",
    "metadata author": "Metadata Author",
    "dif author": "Metadata Author",
    "technical contact, dif author": "Metadata Author",
    "nsidc user services": "User Services",
    "user services": "User Services",
    "ghrc user services": "User Services",
    "science software development manager": "Science Software Development",
    "deputy science software development manager": "Science Software Development",
    "sea ice algorithms": "Science Software Development",
    "snow algorithms": "Science Software Development",
    "science contact": "Science Contact",
    "science software development": "Science Software Development",
}
_MECHANISMS = {"phone": "Telephone", "Phone": "Telephone", "fax": "Fax"}


def _people_only(contact: etree._Element) -> bool:
    return text(contact, "Role") == _PEOPLE_ONLY_ROLE and not text(contact, "OrganizationName")


def _names(name: str | None) -> dict:
    # CMR cuts a short name at UMM's 85 characters and keeps the whole in LongName.
    if not name:
        return {"ShortName": NOT_PROVIDED}
    return {
        "ShortName": name[:SHORT_NAME_MAX],
        "LongName": name if len(name) > SHORT_NAME_MAX else None,
    }


def _persons(contact: etree._Element) -> list[dict]:
    return [
        {
            "Roles": [
                _PERSON_ROLES.get((text(p, "JobPosition") or "").lower(), "Technical Contact")
            ],
            "FirstName": text(p, "FirstName"),
            "MiddleName": text(p, "MiddleName"),
            "LastName": text(p, "LastName") or NOT_PROVIDED,
        }
        for p in contact.findall("ContactPersons/ContactPerson")
    ]


def _information(contact: etree._Element) -> dict | None:
    mechanisms = [
        {
            "Type": _MECHANISMS.get(text(p, "Type") or "", text(p, "Type")),
            "Value": text(p, "Number"),
        }
        for p in contact.findall("OrganizationPhones/Phone")
    ] + [{"Type": "Email", "Value": e} for e in texts(contact, "OrganizationEmails/Email")]
    addresses = [
        {
            "StreetAddresses": texts(a, "StreetAddress"),
            "City": text(a, "City"),
            "StateProvince": text(a, "StateProvince"),
            "PostalCode": text(a, "PostalCode"),
            "Country": text(a, "Country"),
        }
        for a in contact.findall("OrganizationAddresses/Address")
    ]
    hours, instructions = text(contact, "HoursOfService"), text(contact, "Instructions")
    if not (hours or instructions or mechanisms or addresses):
        return None
    return {
        "ServiceHours": hours,
        "ContactInstruction": instructions,
        "ContactMechanisms": mechanisms,
        "Addresses": addresses,
    }


def data_centers(c: etree._Element) -> list[dict]:
    centers = [
        {
            "Roles": [_CENTER_ROLES.get((text(contact, "Role") or "").lower(), "ARCHIVER")],
            **_names(text(contact, "OrganizationName")),
            "ContactInformation": _information(contact),
            "ContactPersons": _persons(contact),
        }
        for contact in c.findall("Contacts/Contact")
        if not _people_only(contact)
    ]
    for tag, role in (("ArchiveCenter", "ARCHIVER"), ("ProcessingCenter", "PROCESSOR")):
        name = text(c, tag)
        if name and not any(role in d["Roles"] and d["ShortName"] == name for d in centers):
            centers.append({"Roles": [role], **_names(name)})
    return centers or [{"Roles": ["ARCHIVER"], "ShortName": NOT_PROVIDED}]


def contact_persons(c: etree._Element) -> list[dict]:
    """The people of the collection itself, not of a data center."""
    return [
        p
        for contact in c.findall("Contacts/Contact")
        if _people_only(contact)
        for p in _persons(contact)
    ]
