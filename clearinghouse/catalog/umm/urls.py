"""RelatedUrls from ECHO 10's online access URLs, online resources and browse URLs, in that order,
as CMR maps them: collections by ``umm-spec-lib``'s ``echo10/related_url.clj`` (an online
resource's Type looked up in its table, or read as ``URLContentType : Type`` / ``Type : Subtype``),
granules by ``umm-lib``'s ``echo10/related_url.clj`` and ``umm_g/related_url.clj`` (a Type UMM-G
does not know becomes VIEW RELATED INFORMATION)."""

from __future__ import annotations

import re

from lxml import etree

from clearinghouse.catalog.umm._xml import NOT_PROVIDED, number, text

# An online resource Type a collection names that is not in the table.
_DEFAULT = ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION")

_CONTENT_TYPES = {
    "DistributionURL",
    "VisualizationURL",
    "PublicationURL",
    "CollectionURL",
    "DataCenterURL",
    "DataContactURL",
}

# The URLContentType each UMM Type belongs to (umm-spec-lib's valid-url-content-types-map).
_CONTENT_OF_TYPE = {
    "DOWNLOAD SOFTWARE": "DistributionURL",
    "GET CAPABILITIES": "DistributionURL",
    "GET DATA": "DistributionURL",
    "GOTO WEB TOOL": "DistributionURL",
    "USE SERVICE API": "DistributionURL",
    "GET RELATED VISUALIZATION": "VisualizationURL",
    "DATA SET LANDING PAGE": "CollectionURL",
    "EXTENDED METADATA": "CollectionURL",
    "PROFESSIONAL HOME PAGE": "CollectionURL",
    "PROJECT HOME PAGE": "CollectionURL",
    "VIEW RELATED INFORMATION": "PublicationURL",
    "HOME PAGE": "DataCenterURL",
}

# A GET DATA subtype is kept only when it is one of KMS's.
_GET_DATA_SUBTYPES = {
    "GIOVANNI",
    "NOAA CLASS",
    "MIRADOR",
    "USGS EARTH EXPLORER",
    "SUBSCRIBE",
    "CERES ORDERING TOOL",
    "EARTHDATA SEARCH",
    "SUB-ORBITAL ORDER TOOL",
    "DATA TREE",
    "ORDER",
    "LAADS",
    "DATACAST URL",
    "LANCE",
    "VIRTUAL COLLECTION",
    "MLHUB",
    "MODAPS",
    "PORTAL",
    "ICEBRIDGE PORTAL",
    "APPEEARS",
    "DATA COLLECTION BUNDLE",
    "NOMADS",
    "VERTEX",
    "DIRECT DOWNLOAD",
    "GOLIVE PORTAL",
    "EOSDIS DATA POOL",
}

# ECHO 10 online resource Type -> (URLContentType, Type, Subtype), for collections.
_COLLECTION_RESOURCE = {
    "ALGORITHM DOCUMENTATION": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "ALGORITHM DOCUMENTATION",
    ),
    "Algorithm Info": ("PublicationURL", "VIEW RELATED INFORMATION", "ALGORITHM DOCUMENTATION"),
    "Algorithm Information": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "ALGORITHM DOCUMENTATION",
    ),
    "ALGORITHM THEORETICAL BASIS DOCUMENT": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "ALGORITHM THEORETICAL BASIS DOCUMENT (ATBD)",
    ),
    "ALGORITHM THEORETICAL BASIS DOCUMENT (ATBD)": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "ALGORITHM THEORETICAL BASIS DOCUMENT (ATBD)",
    ),
    "ALTERNATE ACCESS": ("DistributionURL", "GET DATA", None),
    "Alternate Data Access": ("DistributionURL", "GET DATA", None),
    "ANOMALIES": ("PublicationURL", "VIEW RELATED INFORMATION", "ANOMALIES"),
    "Anomalies": ("PublicationURL", "VIEW RELATED INFORMATION", "ANOMALIES"),
    "BROWSE": ("VisualizationURL", "GET RELATED VISUALIZATION", None),
    "Browse": ("VisualizationURL", "GET RELATED VISUALIZATION", None),
    "BROWSE SAMPLE": ("VisualizationURL", "GET RELATED VISUALIZATION", None),
    "Calibration/validation data": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "INSTRUMENT/SENSOR CALIBRATION DOCUMENTATION",
    ),
    "calibration": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "INSTRUMENT/SENSOR CALIBRATION DOCUMENTATION",
    ),
    "Citing GHRC Data": ("PublicationURL", "VIEW RELATED INFORMATION", "DATA CITATION POLICY"),
    "Collection DOI": ("CollectionURL", "DATA SET LANDING PAGE", None),
    "Collection Guide": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "Collection Quality Summary": ("PublicationURL", "VIEW RELATED INFORMATION", "DATA QUALITY"),
    "CollectionURL : PROJECT HOME PAGE": ("CollectionURL", "PROJECT HOME PAGE", None),
    "Data access (FTP)": ("DistributionURL", "GET DATA", None),
    "Data Documentation": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "DATA RECIPE": ("PublicationURL", "VIEW RELATED INFORMATION", "DATA RECIPE"),
    "data set guide": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "DATA SET LANDING PAGE": ("CollectionURL", "DATA SET LANDING PAGE", None),
    "dataset description": ("CollectionURL", "DATA SET LANDING PAGE", None),
    "Dataset User Guide": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "DatasetDisclaimer": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "Documentation": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "DOI": ("CollectionURL", "DATA SET LANDING PAGE", None),
    "DOI URL": ("CollectionURL", "DATA SET LANDING PAGE", None),
    "DOWNLOAD SOFTWARE": ("DistributionURL", "DOWNLOAD SOFTWARE", None),
    "ECSCollGuide": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "ersst.v2.readme.txt": ("PublicationURL", "VIEW RELATED INFORMATION", "READ-ME"),
    "EXTRACT_NETCDF4": ("DistributionURL", "DOWNLOAD SOFTWARE", None),
    "GENERAL DOCUMENTATION": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "GENERAL DOCUMENTATION",
    ),
    "GET CAPABILITIES": ("DistributionURL", "GET CAPABILITIES", None),
    "GET CAPABILITIES : OpenSearch": ("DistributionURL", "GET CAPABILITIES", "OpenSearch"),
    "GET CAPABILITIES : GIBS": ("DistributionURL", "GET CAPABILITIES", "GIBS"),
    "Get Data": ("DistributionURL", "GET DATA", None),
    "GET RELATED VISUALIZATION": ("VisualizationURL", "GET RELATED VISUALIZATION", None),
    "GET RELATED VISUALIZATION : SOTO": ("VisualizationURL", "GET RELATED VISUALIZATION", "SOTO"),
    "GET SERVICE": ("DistributionURL", "USE SERVICE API", None),
    "Get Service": ("DistributionURL", "USE SERVICE API", None),
    "GHRSST Portal Home Page": ("CollectionURL", "PROJECT HOME PAGE", None),
    "GOTO WEB TOOL": ("DistributionURL", "GOTO WEB TOOL", None),
    "GOTO WEB TOOL : HITIDE": ("DistributionURL", "GOTO WEB TOOL", "HITIDE"),
    "Guide": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "Guide Document": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "Home Page": ("CollectionURL", "PROJECT HOME PAGE", None),
    "Homepage": ("CollectionURL", "PROJECT HOME PAGE", None),
    "HOW-TO": ("PublicationURL", "VIEW RELATED INFORMATION", "HOW-TO"),
    "Ice Home Page": ("CollectionURL", "PROJECT HOME PAGE", None),
    "Important Notice": ("PublicationURL", "VIEW RELATED INFORMATION", "IMPORTANT NOTICE"),
    "JPL ESG Link": ("PublicationURL", "VIEW RELATED INFORMATION", None),
    "LANCE": ("DistributionURL", "GET DATA", "LANCE"),
    "Landing Page": ("CollectionURL", "DATA SET LANDING PAGE", None),
    "MICRO ARTICLE": ("PublicationURL", "VIEW RELATED INFORMATION", "MICRO ARTICLE"),
    "MiscInformation": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "OPENDAP DATA": ("DistributionURL", "USE SERVICE API", "OPENDAP DATA"),
    "PDF": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "PI Documentation": ("PublicationURL", "VIEW RELATED INFORMATION", "PI DOCUMENTATION"),
    "PI DOCUMENTATION": ("PublicationURL", "VIEW RELATED INFORMATION", "PI DOCUMENTATION"),
    "PO.DAAC SPURS Mission page": ("CollectionURL", "PROJECT HOME PAGE", None),
    "PORTAL_DA": ("CollectionURL", "PROJECT HOME PAGE", None),
    "PORTAL_DA_DIRECT_ACCESS": ("DistributionURL", "GET DATA", "DIRECT DOWNLOAD"),
    "PORTAL_DA_READ_SOFTWARE": ("DistributionURL", "DOWNLOAD SOFTWARE", None),
    "PORTAL_DA_TOOLS_AND_SERVICES": ("DistributionURL", "GOTO WEB TOOL", None),
    "PORTAL_DOC_ADDITIONAL_SITES": ("CollectionURL", "PROJECT HOME PAGE", None),
    "PORTAL_DOC_ANNOUNCEMENTS": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "GENERAL DOCUMENTATION",
    ),
    "PORTAL_DOC_FAQS": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "PORTAL_DOC_JOURNAL_REFERENCES": ("PublicationURL", "VIEW RELATED INFORMATION", "PUBLICATIONS"),
    "PORTAL_DOC_KNOWN_ISSUES": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "GENERAL DOCUMENTATION",
    ),
    "PORTAL_DOC_PROJECT_MATERIALS": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        "GENERAL DOCUMENTATION",
    ),
    "PORTAL_DOC_USERS_GUIDE": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "PROCESSING HISTORY": ("PublicationURL", "VIEW RELATED INFORMATION", "PROCESSING HISTORY"),
    "PROJECT HOME PAGE": ("CollectionURL", "PROJECT HOME PAGE", None),
    "Project Home Page": ("CollectionURL", "PROJECT HOME PAGE", None),
    "Provider Webpage": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "PUBLICATIONS": ("PublicationURL", "VIEW RELATED INFORMATION", "PUBLICATIONS"),
    "Publications": ("PublicationURL", "VIEW RELATED INFORMATION", "PUBLICATIONS"),
    "PublicationURL : VIEW RELATED INFORMATION": (
        "PublicationURL",
        "VIEW RELATED INFORMATION",
        None,
    ),
    "Quality Summary": ("PublicationURL", "VIEW RELATED INFORMATION", "DATA QUALITY"),
    "README": ("PublicationURL", "VIEW RELATED INFORMATION", "READ-ME"),
    "Reference": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "Reference Materials": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "Release Notes": ("PublicationURL", "VIEW RELATED INFORMATION", None),
    "Software": ("DistributionURL", "DOWNLOAD SOFTWARE", None),
    "text/html": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "THREDDS DIRECTORY": ("DistributionURL", "USE SERVICE API", "THREDDS DATA"),
    "Thumbnail": ("VisualizationURL", "GET RELATED VISUALIZATION", None),
    "User guide": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "User Support": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "USER's GUIDE": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "USER'S GUIDE": ("PublicationURL", "VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "VIEW DATA SET LANDING PAGE": ("CollectionURL", "DATA SET LANDING PAGE", None),
    "VIEW IMAGES": ("VisualizationURL", "GET RELATED VISUALIZATION", None),
    "VIEW PROJECT HOME PAGE": ("CollectionURL", "PROJECT HOME PAGE", None),
    "VIEW RELATED INFORMATION": ("PublicationURL", "VIEW RELATED INFORMATION", None),
    "WEB COVERAGE SERVICE (WCS)": (
        "DistributionURL",
        "USE SERVICE API",
        "WEB COVERAGE SERVICE (WCS)",
    ),
    "Web Page": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "Web site": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "Website": ("PublicationURL", "VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "WORLDVIEW": ("VisualizationURL", "GET RELATED VISUALIZATION", "WORLDVIEW"),
    "Worldview Imagery": ("VisualizationURL", "GET RELATED VISUALIZATION", "WORLDVIEW"),
}

# ECHO 10 online resource Type (upper case) -> (Type, Subtype), for granules.
_GRANULE_RESOURCE = {
    "STATIC URL": ("VIEW RELATED INFORMATION", None),
    "GUIDE": ("VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "HOMEPAGE": ("VIEW PROJECT HOME PAGE", None),
    "SOFTWARE": ("GET SERVICE", "GET SOFTWARE PACKAGE"),
    "CURRENT BROWSE BY CHANNEL": ("GET RELATED VISUALIZATION", None),
    "BROWSE": ("GET RELATED VISUALIZATION", None),
    "CITING GHRC DATA": ("GET DATA", None),
    "PI DOCUMENTATION": ("VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "DATASETDISCLAIMER": ("VIEW RELATED INFORMATION", None),
    "ECSCOLLGUIDE": ("VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "MISCINFORMATION": ("VIEW RELATED INFORMATION", None),
    "TEMPERATURE TREND GRAPHS": ("GET RELATED VISUALIZATION", None),
    "DATA SET GUIDE": ("VIEW RELATED INFORMATION", "USER'S GUIDE"),
    "REFERENCE MATERIALS": ("VIEW RELATED INFORMATION", None),
    "THUMBNAIL": ("GET RELATED VISUALIZATION", None),
    "DATASET QUALITY SUMMARY": ("VIEW RELATED INFORMATION", None),
    "ONLINERESOURCETYPE": ("VIEW RELATED INFORMATION", None),
    "PROJECT HOME PAGE": ("VIEW PROJECT HOME PAGE", None),
    "USER SUPPORT": ("VIEW RELATED INFORMATION", None),
    "DATA ACCESS (FTP)": ("GET DATA", None),
    "CALIBRATION/VALIDATION DATA": ("VIEW RELATED INFORMATION", None),
    "PORTAL_DA_DIRECT_ACCESS": ("GET DATA", None),
    "ICE HOME PAGE": ("VIEW PROJECT HOME PAGE", None),
    "PROJECT HOMEPAGE": ("VIEW PROJECT HOME PAGE", None),
    "PRODUCT QUALITY MONITORING PAGE": ("VIEW RELATED INFORMATION", None),
    "GHRSST PORTAL HOME PAGE": ("VIEW PROJECT HOME PAGE", None),
    "DOI": ("VIEW PROJECT HOME PAGE", None),
    "RELATED URLS": ("VIEW RELATED INFORMATION", None),
    "DATA DOCUMENTATION": ("VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "IMPORTANT NOTICE": ("VIEW RELATED INFORMATION", None),
    "PROJECT WEBSITE": ("VIEW PROJECT HOME PAGE", None),
    "WEB SITE": ("VIEW PROJECT HOME PAGE", None),
    "TEXT/HTML": ("VIEW RELATED INFORMATION", None),
    "PRODUCT INFO": ("VIEW RELATED INFORMATION", None),
    "OVERVIEW": ("VIEW RELATED INFORMATION", "GENERAL DOCUMENTATION"),
    "BROWSE CALENDAR": ("VIEW RELATED INFORMATION", None),
    "ALGORITHM INFORMATION": ("VIEW RELATED INFORMATION", None),
    "DATA ACCESS": ("GET DATA", None),
    "ALGORITHM INFO": ("VIEW RELATED INFORMATION", None),
    "GET DATA : OPENDAP DATA": ("USE SERVICE API", "OPENDAP DATA"),
    "GET DATA : OPENDAP DATA (DODS)": ("USE SERVICE API", "OPENDAP DATA"),
    "USE SERVICE API : OPENDAP DATA": ("USE SERVICE API", "OPENDAP DATA"),
    "USE SERVICE API : OPENDAP DATA (DODS)": ("USE SERVICE API", "OPENDAP DATA"),
    "VIEW PROJECT HOME PAGE": ("VIEW PROJECT HOME PAGE", None),
    "DMR++": ("EXTENDED METADATA", "DMR++"),
    "EXTENDED METADATA : DMR++": ("EXTENDED METADATA", "DMR++"),
    "DMR++ MISSING DATA": ("EXTENDED METADATA", "DMR++ MISSING DATA"),
    "EXTENDED METADATA : DMR++ MISSING DATA": ("EXTENDED METADATA", "DMR++ MISSING DATA"),
}

# The Types and Subtypes UMM-G 1.6 allows (RelatedUrlTypeEnum, RelatedUrlSubTypeEnum).
_GRANULE_TYPES = {
    "DOWNLOAD SOFTWARE",
    "EXTENDED METADATA",
    "GET DATA",
    "GET DATA VIA DIRECT ACCESS",
    "GET RELATED VISUALIZATION",
    "GOTO WEB TOOL",
    "PROJECT HOME PAGE",
    "USE SERVICE API",
    "VIEW RELATED INFORMATION",
}
_GRANULE_SUBTYPES = {
    "MOBILE APP",
    "APPEARS",
    "DATA COLLECTION BUNDLE",
    "DATA TREE",
    "DATACAST URL",
    "DIRECT DOWNLOAD",
    "EOSDIS DATA POOL",
    "Earthdata Search",
    "GIOVANNI",
    "LAADS",
    "LANCE",
    "MIRADOR",
    "MODAPS",
    "NOAA CLASS",
    "NOMADS",
    "PORTAL",
    "USGS EARTH EXPLORER",
    "VERTEX",
    "VIRTUAL COLLECTION",
    "MAP",
    "WORLDVIEW",
    "LIVE ACCESS SERVER (LAS)",
    "MAP VIEWER",
    "SIMPLE SUBSET WIZARD (SSW)",
    "SUBSETTER",
    "GRADS DATA SERVER (GDS)",
    "MAP SERVICE",
    "OPENDAP DATA",
    "OpenSearch",
    "SERVICE CHAINING",
    "TABULAR DATA STREAM (TDS)",
    "THREDDS DATA",
    "WEB COVERAGE SERVICE (WCS)",
    "WEB FEATURE SERVICE (WFS)",
    "WEB MAP SERVICE (WMS)",
    "WEB MAP TILE SERVICE (WMTS)",
    "ALGORITHM DOCUMENTATION",
    "ALGORITHM THEORETICAL BASIS DOCUMENT",
    "ANOMALIES",
    "CASE STUDY",
    "DATA CITATION POLICY",
    "DATA QUALITY",
    "DATA RECIPE",
    "DELIVERABLES CHECKLIST",
    "GENERAL DOCUMENTATION",
    "HOW-TO",
    "IMPORTANT NOTICE",
    "INSTRUMENT/SENSOR CALIBRATION DOCUMENTATION",
    "MICRO ARTICLE",
    "PI DOCUMENTATION",
    "PROCESSING HISTORY",
    "PRODUCT HISTORY",
    "PRODUCT QUALITY ASSESSMENT",
    "PRODUCT USAGE",
    "PRODUCTION HISTORY",
    "PUBLICATIONS",
    "READ-ME",
    "REQUIREMENTS AND DESIGN",
    "SCIENCE DATA PRODUCT SOFTWARE DOCUMENTATION",
    "SCIENCE DATA PRODUCT VALIDATION",
    "USER FEEDBACK",
    "USER'S GUIDE",
    "DMR++",
    "DMR++ MISSING DATA",
}

# The media types UMM-G 1.6 allows (MimeTypeEnum). CMR passes any other on and so writes a record
# its own schema refuses; here such a type is left out.
_GRANULE_MIME_TYPES = {
    "application/json",
    "application/xml",
    "application/x-netcdf",
    "application/x-hdfeos",
    "application/gml+xml",
    "application/vnd.google-earth.kml+xml",
    "image/gif",
    "image/tiff",
    "image/bmp",
    "text/csv",
    "text/xml",
    "application/pdf",
    "application/x-hdf",
    "application/x-hdf5",
    "application/octet-stream",
    "application/vnd.google-earth.kmz",
    "image/jpeg",
    "image/png",
    "image/vnd.collada+xml",
    "text/html",
    "text/plain",
    "application/zip",
    "application/gzip",
    "application/tar",
    "application/tar+gzip",
    "application/tar+zip",
    "application/vnd.opendap.dap4.dmrpp+xml",
    "application/yaml",
    "Not provided",
}

_OPENDAP = re.compile("OPENDAP", re.IGNORECASE)


def _collection_type(resource_type: str | None) -> tuple[str, str, str | None]:
    if resource_type is None:
        return _DEFAULT
    parts = resource_type.split(" : ")
    if len(parts) > 1:
        if parts[0] in _CONTENT_TYPES:
            return parts[0], parts[1], None
        content = _CONTENT_OF_TYPE.get(parts[0])
        if content:
            subtype = parts[1]
            if parts[0] == "GET DATA" and subtype.upper() not in _GET_DATA_SUBTYPES:
                subtype = None
            return content, parts[0], subtype
    return _COLLECTION_RESOURCE.get(resource_type, _DEFAULT)


def _get_data(mime_type: str | None) -> dict | None:
    # CMR fills the sizes it does not know with 0 KB and the format with "Not provided".
    if not mime_type:
        return None
    return {"Format": NOT_PROVIDED, "MimeType": mime_type, "Size": 0.0, "Unit": "KB"}


def collection(record: etree._Element) -> list[dict]:
    urls = []
    for access in record.findall("OnlineAccessURLs/OnlineAccessURL"):
        urls.append(
            {
                "URL": _url(access),
                "Description": text(access, "URLDescription"),
                "URLContentType": "DistributionURL",
                "Type": "GET DATA",
                "GetData": _get_data(text(access, "MimeType")),
            }
        )
    for resource in record.findall("OnlineResources/OnlineResource"):
        content, kind, subtype = _collection_type(text(resource, "Type"))
        url = {
            "URLContentType": content,
            "Type": kind,
            "Subtype": subtype,
            "URL": _url(resource),
            "Description": text(resource, "Description"),
        }
        mime = text(resource, "MimeType")
        if content == "DistributionURL" and kind in ("GET DATA", "GET CAPABILITIES"):
            url["GetData"] = _get_data(mime)
        elif content == "DistributionURL" and kind == "USE SERVICE API" and mime:
            unknown = NOT_PROVIDED
            url["GetService"] = (
                None
                if mime == unknown
                else {
                    "MimeType": mime,
                    "FullName": unknown,
                    "DataID": unknown,
                    "DataType": unknown,
                    "Protocol": unknown,
                }
            )
        urls.append(url)
    for browse in record.findall("AssociatedBrowseImageUrls/ProviderBrowseUrl"):
        urls.append(
            {
                "URL": _url(browse),
                "Description": text(browse, "Description"),
                "URLContentType": "VisualizationURL",
                "Type": "GET RELATED VISUALIZATION",
            }
        )
    return urls


def granule(record: etree._Element) -> list[dict]:
    urls = []
    for access in record.findall("OnlineAccessURLs/OnlineAccessURL"):
        url = _url(access)
        kind = "GET DATA VIA DIRECT ACCESS" if "s3://" in url.lower() else "GET DATA"
        urls.append(
            _granule_url(
                url, kind, None, text(access, "URLDescription"), text(access, "MimeType"), None
            )
        )
    for resource in record.findall("OnlineResources/OnlineResource"):
        resource_type = text(resource, "Type")
        kind, subtype = _GRANULE_RESOURCE.get((resource_type or "").upper(), (None, None))
        if kind is None and resource_type and _OPENDAP.search(resource_type):
            kind, subtype = "USE SERVICE API", "OPENDAP DATA"
        urls.append(
            _granule_url(
                _url(resource),
                kind,
                subtype,
                text(resource, "Description"),
                text(resource, "MimeType"),
                None,
            )
        )
    for browse in record.findall("AssociatedBrowseImageUrls/ProviderBrowseUrl"):
        urls.append(
            _granule_url(
                _url(browse),
                "GET RELATED VISUALIZATION",
                None,
                text(browse, "Description"),
                text(browse, "MimeType"),
                number(browse, "FileSize"),
            )
        )
    return urls


def _granule_url(url, kind, subtype, description, mime_type, size) -> dict:
    return {
        "URL": url,
        "Type": kind if kind in _GRANULE_TYPES else "VIEW RELATED INFORMATION",
        "Subtype": subtype if subtype in _GRANULE_SUBTYPES else None,
        "Description": description,
        "MimeType": mime_type if mime_type in _GRANULE_MIME_TYPES else None,
        "Size": size,
        "SizeUnit": "NA" if size is not None else None,
    }


def _url(element: etree._Element) -> str:
    # CMR writes "Not%20provided" for a URL that is missing; ECHO 10 requires one, so it is rare.
    return (text(element, "URL") or "Not%20provided").replace(" ", "%20")
