"""The one hardened lxml parser for every document that comes from outside.

Entities are never resolved, nothing is fetched from the network or the file system, a DOCTYPE
with an internal subset is refused (that is where entity bombs and external entities live), and
documents are size-limited. Errors are typed and carry line and column.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from clearinghouse.errors import BadRequest, ForbiddenXML, MalformedXML, PayloadTooLarge

#: Largest message accepted by :func:`parse` unless the caller says otherwise.
DEFAULT_MAX_BYTES = 16 * 1024 * 1024

# Beware: collect_ids=False makes libxml2 load the external DTD subset; leave it at its default.
_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "remove_pis": True,
}

#: How much of a streamed document is fed to the parser at a time.
_CHUNK = 64 * 1024

_local = threading.local()  # lxml parsers must not be shared between threads


def _parser(huge: bool) -> etree.XMLParser:
    key = "huge" if huge else "normal"
    parser = getattr(_local, key, None)
    if parser is None:
        parser = etree.XMLParser(huge_tree=huge, **_OPTIONS)
        setattr(_local, key, parser)
    return parser


def parse(
    data: bytes | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    huge: bool = False,
) -> etree._Element:
    """Parse one document held in memory and return its root element."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"the document is {len(data)} bytes; at most {max_bytes} are accepted"
        )
    if not data.strip():
        raise MalformedXML("the document is empty", line=1, column=1)
    try:
        root = etree.fromstring(data, parser=_parser(huge))
    except etree.XMLSyntaxError as exc:
        raise _malformed(exc) from None
    check_doctype(root.getroottree())
    return root


def iterparse(
    source: str | IO[bytes],
    *,
    events: tuple[str, ...] = ("end",),
    tag: str | None = None,
    huge: bool = False,
) -> Iterator[tuple[str, etree._Element]]:
    """Stream a document (a path or a binary file object), with the same hardening as :func:`parse`.

    Yields ``(event, element)`` like :func:`lxml.etree.iterparse`; the caller clears what it has
    consumed. Entity declarations are refused as soon as the root element starts. Where the XML
    breaks, every event before the break is yielded first, then :class:`MalformedXML` is raised:
    the parser is fed by us and its events read back after a syntax error, because lxml's own
    iterparse drops the events of the buffer it was reading when the error came (lxml 6.2), so
    what a broken file yielded depended on libxml2's buffering.
    """
    wanted = set(events)
    parser = etree.XMLPullParser(
        events=tuple(wanted | {"start"}), tag=tag, huge_tree=huge, **_OPTIONS
    )
    everything = "start" in wanted  # then the events go out as they come (the hot loop)
    checked = False
    with contextlib.ExitStack() as stack:
        stream = source if hasattr(source, "read") else stack.enter_context(open(source, "rb"))
        while True:
            chunk = stream.read(_CHUNK)
            error = None
            try:
                parser.feed(chunk) if chunk else parser.close()
            except etree.XMLSyntaxError as exc:
                error = exc
            events = parser.read_events()
            if error is not None and not chunk:
                # close() on a truncated document ends the open elements for us: not the file's
                events = ()
            if not checked:
                for event, element in events:  # the first event: the DOCTYPE is known by now
                    check_doctype(element.getroottree())
                    checked = True
                    if event in wanted:
                        yield event, element
                    break
            if everything:
                yield from events
            else:
                for event, element in events:
                    if event in wanted:
                        yield event, element
            if error is not None:
                raise _malformed(error) from None
            if not chunk:
                return


def check_doctype(tree: etree._ElementTree) -> None:
    """Refuse an internal DTD subset: it is the only way to declare entities."""
    dtd = tree.docinfo.internalDTD
    if dtd is None:
        return
    entities = [e.name for e in dtd.iterentities()]
    if entities:
        raise ForbiddenXML(
            f"entity declarations are not accepted (declared: {', '.join(entities[:5])})", line=1
        )
    if list(dtd.iterelements()):
        raise ForbiddenXML("an internal DTD subset is not accepted", line=1)


def _malformed(exc: etree.XMLSyntaxError) -> BadRequest:
    line, column = exc.position if exc.position else (exc.lineno, None)
    message = (exc.msg or str(exc)).strip()
    # lxml appends ", line N, column M" to the message; the position travels apart.
    message = message.split(", line ")[0]
    lowered = message.lower()
    if "entity" in lowered and ("loop" in lowered or "amplification" in lowered):
        return ForbiddenXML(f"entity expansion refused: {message}", line=line, column=column)
    return MalformedXML(message, line=line, column=column)


#: What XML 1.0 cannot hold: NUL, most control characters, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with what XML cannot hold written as escapes (``\\x00``): a message quoting a
    hostile value must still fit in a document."""
    return _NOT_XML.sub(lambda match: ascii(match.group())[1:-1], text)


def tostring(element: etree._Element, *, declaration: bool = True) -> bytes:
    return etree.tostring(element, encoding="UTF-8", xml_declaration=declaration)
