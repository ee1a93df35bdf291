"""ECHO 10 -> UMM-G / UMM-C (clearinghouse.catalog.umm): the samples and the whole corpus of real
CMR records translate and validate against CMR's own schemas, and the mapping is CMR's."""

from __future__ import annotations

import pytest
from lxml import etree

from clearinghouse.catalog import umm
from clearinghouse.errors import BadRequest
from tests.conftest import SHARED
from tests.ingest_support import COLLECTIONS, GRANULES, SAMPLES, collection, granule
from tests.umm_support import problems

CORPUS = SHARED / "samples" / "echo10-corpus"


def _translate(data: bytes) -> tuple[str, dict]:
    if etree.fromstring(data).tag == "Granule":
        return "granule", umm.granule(data)
    return "collection", umm.collection(data)


@pytest.mark.parametrize("name", COLLECTIONS + GRANULES)
def test_the_samples_validate_against_cmrs_schemas(name):
    kind, record = _translate((SAMPLES / name).read_bytes())
    assert problems(kind, record) == []
    assert record["MetadataSpecification"]["Name"] == ("UMM-G" if kind == "granule" else "UMM-C")


def _never_null(value) -> bool:
    """No null and no empty list anywhere (an empty object is CMR's empty tiling coordinate)."""
    if isinstance(value, dict):
        return all(v is not None and v != [] and _never_null(v) for v in value.values())
    if isinstance(value, list):
        return all(_never_null(v) for v in value)
    return True


def test_every_record_of_the_corpus_translates_and_validates():
    files = sorted(p for p in CORPUS.iterdir() if p.name != "SOURCE.txt")
    assert len(files) == 284
    failed = {}
    for path in files:
        kind, record = _translate(path.read_bytes())
        if found := problems(kind, record):
            failed[path.name] = found[:3]
        elif not _never_null(record):
            failed[path.name] = ["a null or an empty list"]
    assert failed == {}


def test_the_ast_granule_as_cmr_maps_it():
    g = umm.granule((SAMPLES / "ast_l1a_granule.xml").read_bytes())
    assert g["GranuleUR"] == "SC:AST_L1A.003:2242022926"
    assert g["CollectionReference"] == {
        "EntryTitle": "ASTER L1A Reconstructed Unprocessed Instrument Data V003"
    }
    assert g["ProviderDates"] == [
        {"Date": "2016-09-07T07:56:05.632Z", "Type": "Insert"},
        {"Date": "2016-09-08T23:10:14.921Z", "Type": "Update"},
    ]
    assert g["TemporalExtent"] == {"SingleDateTime": "2016-09-06T23:13:48.670Z"}
    (poly,) = g["SpatialExtent"]["HorizontalSpatialDomain"]["Geometry"]["GPolygons"]
    points = poly["Boundary"]["Points"]
    # ECHO 10's open clockwise ring, closed and counter-clockwise.
    assert points[0] == points[-1] == {"Longitude": 179.911053, "Latitude": 49.547684}
    assert points[1] == {"Longitude": -179.23413, "Latitude": 49.410843}
    assert len(points) == 5
    assert g["DataGranule"]["DayNightFlag"] == "Day"
    assert g["DataGranule"]["Identifiers"] == [
        {
            "Identifier": "AST_L1A#00309062016231348_09072016080229.hdf",
            "IdentifierType": "ProducerGranuleId",
        }
    ]
    assert g["DataGranule"]["ArchiveAndDistributionInformation"] == [
        {"Name": "Not provided", "Size": 111.097, "SizeUnit": "MB"}
    ]
    assert g["CloudCover"] == 100
    assert {
        "Name": "ASTERGains",
        "Values": [
            "01 NOR, 02 NOR, 3N NOR, 3B NOR, 04 NOR, 05 NOR, 06 NOR, 07 NOR, 08 NOR, 09 NOR"
        ],
    } in g["AdditionalAttributes"]
    browse = [u for u in g["RelatedUrls"] if u["Type"] == "GET RELATED VISUALIZATION"]
    assert len(browse) == 3 and browse[0]["MimeType"] == "image/jpeg"
    assert g["PGEVersionClass"] == {"PGEVersion": "06.30R00"}
    assert _never_null(g)


def test_online_access_urls_are_get_data_and_s3_ones_direct_access():
    # umm-lib echo10/related_url.clj: an s3:// access URL is GET DATA VIA DIRECT ACCESS.
    g = umm.granule(
        granule(
            "G",
            extra=(
                "<OnlineAccessURLs><OnlineAccessURL><URL>https://h/a.nc</URL>"
                "<URLDescription>the file</URLDescription><MimeType>application/x-netcdf</MimeType>"
                "</OnlineAccessURL><OnlineAccessURL><URL>s3://bucket/a.nc</URL></OnlineAccessURL>"
                "</OnlineAccessURLs><OnlineResources><OnlineResource><URL>https://h/a.nc.dmrpp</URL>"
                "<Type>EXTENDED METADATA : DMR++</Type></OnlineResource><OnlineResource>"
                "<URL>https://h/opendap/a</URL><Type>OPeNDAP access</Type></OnlineResource>"
                "<OnlineResource><URL>https://h/guide</URL><Type>NO SUCH TYPE</Type>"
                "</OnlineResource>"
                "</OnlineResources>"
            ),
        )
    )
    assert g["RelatedUrls"] == [
        {
            "URL": "https://h/a.nc",
            "Type": "GET DATA",
            "Description": "the file",
            "MimeType": "application/x-netcdf",
        },
        {"URL": "s3://bucket/a.nc", "Type": "GET DATA VIA DIRECT ACCESS"},
        {"URL": "https://h/a.nc.dmrpp", "Type": "EXTENDED METADATA", "Subtype": "DMR++"},
        {"URL": "https://h/opendap/a", "Type": "USE SERVICE API", "Subtype": "OPENDAP DATA"},
        {"URL": "https://h/guide", "Type": "VIEW RELATED INFORMATION"},
    ]


def test_collection_online_resources_by_their_type():
    # umm-spec-lib echo10/related_url.clj: the table, "Type : Subtype", and the default.
    c = umm.collection(
        collection(
            extra=(
                "<OnlineAccessURLs><OnlineAccessURL><URL>https://h/data</URL>"
                "<MimeType>text/html</MimeType></OnlineAccessURL></OnlineAccessURLs>"
                "<OnlineResources><OnlineResource><URL>https://h/guide</URL>"
                "<Type>USER'S GUIDE</Type></OnlineResource>"
                "<OnlineResource><URL>https://h/d</URL><Type>GET DATA : LAADS</Type>"
                "</OnlineResource><OnlineResource><URL>https://h/x</URL><Type>whatever</Type>"
                "</OnlineResource></OnlineResources><AssociatedBrowseImageUrls><ProviderBrowseUrl>"
                "<URL>https://h/b.png</URL></ProviderBrowseUrl></AssociatedBrowseImageUrls>"
            )
        )
    )
    assert c["RelatedUrls"] == [
        {
            "URL": "https://h/data",
            "URLContentType": "DistributionURL",
            "Type": "GET DATA",
            "GetData": {
                "Format": "Not provided",
                "MimeType": "text/html",
                "Size": 0.0,
                "Unit": "KB",
            },
        },
        {
            "URLContentType": "PublicationURL",
            "Type": "VIEW RELATED INFORMATION",
            "Subtype": "USER'S GUIDE",
            "URL": "https://h/guide",
        },
        {
            "URLContentType": "DistributionURL",
            "Type": "GET DATA",
            "Subtype": "LAADS",
            "URL": "https://h/d",
        },
        {
            "URLContentType": "PublicationURL",
            "Type": "VIEW RELATED INFORMATION",
            "Subtype": "GENERAL DOCUMENTATION",
            "URL": "https://h/x",
        },
        {
            "URL": "https://h/b.png",
            "URLContentType": "VisualizationURL",
            "Type": "GET RELATED VISUALIZATION",
        },
    ]
    assert problems("collection", c) == []


def test_a_bare_collection_gets_cmrs_defaults_and_validates():
    c = umm.collection(
        "<Collection><ShortName>S</ShortName><VersionId>1</VersionId>"
        "<DataSetId>E</DataSetId></Collection>"
    )
    assert c["DOI"] == {
        "MissingReason": "Unknown",
        "Explanation": "It is unknown if this record has a DOI.",
    }
    assert c["SpatialExtent"] == {"GranuleSpatialRepresentation": "NO_SPATIAL"}
    assert c["DataCenters"] == [{"Roles": ["ARCHIVER"], "ShortName": "Not provided"}]
    assert c["CollectionProgress"] == "NOT PROVIDED" and c["Abstract"] == "Not provided"
    assert problems("collection", c) == []


# Ported from CMR umm-spec-lib/test/cmr/umm_spec/test/xml_to_umm_mappings/echo10.clj,
# echo10-contact-role-test (the sanitized cases: CMR's search answers parse with defaults).
def test_cmr_contact_role_default_and_organization_name_truncation():
    one = umm.collection(
        "<Collection><Contacts><Contact><Role>USER SERVICES</Role>"
        "<OrganizationName>LPDAAC</OrganizationName></Contact></Contacts>"
        "</Collection>"
    )
    assert one["DataCenters"][0]["Roles"] == ["ARCHIVER"]
    name = (
        "TheNeverEndingOrganizationNameCheckItOutItJustKeepsGoingAndGoingLikeTheEngerigizer"
        "BunnyThisIsJustImpressiveWhatAGreatOrganizationName"
    )
    long = umm.collection(
        f"<Collection><Contacts><Contact><Role>USER SERVICES</Role>"
        f"<OrganizationName>{name}</OrganizationName></Contact></Contacts>"
        f"</Collection>"
    )["DataCenters"][0]
    assert long["LongName"] == name and long["ShortName"] == name[:85]


# Ported from the same file, echo10-multiple-data-formats-test.
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "<DataFormat>XLS, PDF, PNG</DataFormat>",
            [{"FormatType": "Native", "Format": "XLS, PDF, PNG"}],
        ),
        (
            "<Price>0</Price><DataFormat>XLS, PDF, PNG</DataFormat><DataFormat>HTML</DataFormat>",
            [
                {"FormatType": "Native", "Fees": "0", "Format": "XLS, PDF, PNG"},
                {"FormatType": "Native", "Fees": "0", "Format": "HTML"},
            ],
        ),
        ("<Price>0</Price>", [{"FormatType": "Native", "Fees": "0", "Format": "Not provided"}]),
        ("", None),
    ],
)
def test_cmr_data_formats_and_price(extra, expected):
    c = umm.collection(f"<Collection><ShortName>S</ShortName>{extra}</Collection>")
    found = c.get("ArchiveAndDistributionInformation")
    assert found == (None if expected is None else {"FileDistributionInformation": expected})


def test_orbit_fields_of_a_granule():
    g = umm.granule(
        granule(
            "G",
            extra=(
                "<Spatial><HorizontalSpatialDomain><Orbit><AscendingCrossing>-75.5</AscendingCrossing>"
                "<StartLat>-10</StartLat><StartDirection>A</StartDirection><EndLat>20.5</EndLat>"
                "<EndDirection>D</EndDirection></Orbit></HorizontalSpatialDomain></Spatial>"
                "<OrbitCalculatedSpatialDomains><OrbitCalculatedSpatialDomain>"
                "<StartOrbitNumber>7</StartOrbitNumber><StopOrbitNumber>9</StopOrbitNumber>"
                "<EquatorCrossingLongitude>12.5</EquatorCrossingLongitude>"
                "</OrbitCalculatedSpatialDomain></OrbitCalculatedSpatialDomains>"
            ),
        )
    )
    assert g["SpatialExtent"]["HorizontalSpatialDomain"]["Orbit"] == {
        "AscendingCrossing": -75.5,
        "StartLatitude": -10,
        "StartDirection": "A",
        "EndLatitude": 20.5,
        "EndDirection": "D",
    }
    assert g["OrbitCalculatedSpatialDomains"] == [
        {"BeginOrbitNumber": 7, "EndOrbitNumber": 9, "EquatorCrossingLongitude": 12.5}
    ]
    assert problems("granule", g) == []


def test_a_record_of_the_wrong_kind_or_broken_is_a_precise_error():
    with pytest.raises(BadRequest, match="ECHO 10 Granule record is expected, not <Collection>"):
        umm.granule(collection())
    with pytest.raises(BadRequest):
        umm.collection(b"<Collection><ShortName>")


def test_contacts_become_data_centers_and_people_as_cmr_reads_them():
    # umm-spec-lib echo10/data_contact.clj: a Contact with the writer's default role and no
    # organization holds the collection's own people; the others are data centers.
    c = umm.collection(
        "<Collection><Contacts><Contact><Role>TECHNICAL CONTACT</Role><ContactPersons>"
        "<ContactPerson><FirstName>Ada</FirstName><LastName>L</LastName>"
        "<JobPosition>Investigator</JobPosition></ContactPerson></ContactPersons></Contact>"
        "<Contact><Role>DISTRIBUTOR</Role><OrganizationName>NSIDC</OrganizationName>"
        "<OrganizationPhones><Phone><Number>555</Number><Type>phone</Type></Phone>"
        "</OrganizationPhones><ContactPersons><ContactPerson><LastName>B</LastName>"
        "</ContactPerson></ContactPersons></Contact></Contacts>"
        "<ArchiveCenter>NSIDC</ArchiveCenter></Collection>"
    )
    assert c["ContactPersons"] == [{"Roles": ["Investigator"], "FirstName": "Ada", "LastName": "L"}]
    distributor, archiver = c["DataCenters"]
    assert distributor == {
        "Roles": ["DISTRIBUTOR"],
        "ShortName": "NSIDC",
        "ContactInformation": {"ContactMechanisms": [{"Type": "Telephone", "Value": "555"}]},
        "ContactPersons": [{"Roles": ["Technical Contact"], "LastName": "B"}],
    }
    assert archiver == {"Roles": ["ARCHIVER"], "ShortName": "NSIDC"}


# Ported from CMR umm-spec-lib/test/cmr/umm_spec/test/xml_to_umm_mappings/echo10.clj,
# echo10-direct-distribution-information-test and its nil case.
def test_cmr_direct_distribution_information():
    c = umm.collection(
        "<Collection><DirectDistributionInformation><Region>us-west-1</Region>"
        "<S3BucketAndObjectPrefixName>bucket1</S3BucketAndObjectPrefixName>"
        "<S3BucketAndObjectPrefixName>bucket2</S3BucketAndObjectPrefixName>"
        "<S3CredentialsAPIEndpoint>https://www.credAPIURL.org</S3CredentialsAPIEndpoint>"
        "<S3CredentialsAPIDocumentationURL>https://www.credAPIDocURL.org"
        "</S3CredentialsAPIDocumentationURL></DirectDistributionInformation></Collection>"
    )
    assert c["DirectDistributionInformation"] == {
        "Region": "us-west-1",
        "S3BucketAndObjectPrefixNames": ["bucket1", "bucket2"],
        "S3CredentialsAPIEndpoint": "https://www.credAPIURL.org",
        "S3CredentialsAPIDocumentationURL": "https://www.credAPIDocURL.org",
    }
    assert "DirectDistributionInformation" not in umm.collection("<Collection></Collection>")


# Ported from the same file, echo10-doi-translation-test (its DOI cases).
def test_cmr_doi_and_associated_dois():
    doi = "<DOI><DOI>10.5067/IAGYM8Q26QRE</DOI><Authority>https://doi.org/</Authority></DOI>"
    both = umm.collection(
        f"<Collection>{doi}<AssociatedDOIs><AssociatedDOI><DOI>10.5678/assoc-doi-1</DOI>"
        "<Title>Title1</Title><Authority>doi.org</Authority></AssociatedDOI></AssociatedDOIs>"
        "</Collection>"
    )
    assert both["DOI"] == {"DOI": "10.5067/IAGYM8Q26QRE", "Authority": "https://doi.org/"}
    assert both["AssociatedDOIs"] == [
        {"DOI": "10.5678/assoc-doi-1", "Title": "Title1", "Authority": "doi.org"}
    ]
    missing = umm.collection(
        "<Collection><DOI><MissingReason>Not Applicable</MissingReason><Explanation>The "
        "collection is a near real time record and does not have a DOI.</Explanation></DOI>"
        "</Collection>"
    )
    assert missing["DOI"] == {
        "MissingReason": "Not Applicable",
        "Explanation": "The collection is a near real time record and does not have a DOI.",
    }


def test_tiling_systems_associations_and_revision_date():
    c = umm.collection(
        collection(
            extra=(
                "<RevisionDate>2020-02-02T00:00:00Z</RevisionDate><CollectionAssociations>"
                "<CollectionAssociation><ShortName>P</ShortName><VersionId>Not provided</VersionId>"
                "<CollectionType>Input</CollectionType><CollectionUse>u</CollectionUse>"
                "</CollectionAssociation></CollectionAssociations><TwoDCoordinateSystems>"
                "<TwoDCoordinateSystem><TwoDCoordinateSystemName>WRS-2</TwoDCoordinateSystemName>"
                "<Coordinate1><MinimumValue>1</MinimumValue><MaximumValue>233</MaximumValue>"
                "</Coordinate1><Coordinate2/></TwoDCoordinateSystem><TwoDCoordinateSystem>"
                "<TwoDCoordinateSystemName>MY GRID</TwoDCoordinateSystemName>"
                "</TwoDCoordinateSystem></TwoDCoordinateSystems>"
            )
        )
    )
    assert c["MetadataDates"] == [{"Type": "UPDATE", "Date": "2020-02-02T00:00:00.000Z"}]
    assert c["MetadataAssociations"] == [{"EntryId": "P", "Type": "INPUT", "Description": "u"}]
    # A system UMM-C does not name is left out, as CMR does.
    assert c["TilingIdentificationSystems"] == [
        {
            "TilingIdentificationSystemName": "WRS-2",
            "Coordinate1": {"MinimumValue": 1, "MaximumValue": 233},
            "Coordinate2": {},
        }
    ]
    assert problems("collection", c) == []
