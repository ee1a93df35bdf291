"""POST /oseo as a plain function: request bytes in, ``(headers, status, body)`` out. Every error
is a SOAP fault (or, for bare XML, an ows:ExceptionReport) with a fitting HTTP status."""

from __future__ import annotations

from clearinghouse import incidents
from clearinghouse.config import Settings
from clearinghouse.db import Database
from clearinghouse.oseo import errors as oseo
from clearinghouse.oseo import service
from clearinghouse.oseo.envelope import fault, read, write

#: An order of a thousand items with options fits well within this.
LIMIT = 4 * 1024 * 1024


def post(
    db: Database, settings: Settings, body: bytes, *, url: str, address: str | None
) -> tuple[dict[str, str], int, bytes]:
    soap = None
    try:
        if len(body) > LIMIT:
            raise oseo.NoApplicableCode(f"the request is over {LIMIT} bytes", status=413)
        envelope = read(body)
        soap = envelope.soap
        answer = service.handle(db, settings, envelope, url=url, address=address)
        document, content_type = write(answer, soap, relates_to=envelope.message_id)
        return {"Content-Type": content_type}, 200, document
    except Exception as error:
        shown = incidents.served(error)
        if not isinstance(shown, oseo.OseoError):  # the database down, say
            shown = oseo.NoApplicableCode(shown.message, status=shown.status)
        return _fault(shown, soap)


def _fault(error: oseo.OseoError, soap: str | None) -> tuple[dict[str, str], int, bytes]:
    document, content_type = fault(error, soap)
    return {"Content-Type": content_type}, error.status, document
