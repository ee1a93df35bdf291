"""The web console's tests: a committed catalog with footprints across the antimeridian, round a
pole and plain, a browse image, a partner with an option definition, users of each kind, the
application served on loopback; and Chromium headless driven by Selenium."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text

from clearinghouse.accounts.services import add_provider, add_user
from clearinghouse.api import functions
from clearinghouse.api.functions import Context
from clearinghouse.config import Address, Settings
from clearinghouse.db import Database, make_engine
from ingest.pipeline import ingest_file
from tests.api_support import PASSWORD
from tests.conftest import OUTBOUND, ephemeral_port
from tests.ingest_support import collection, granule, wrap, write

#: Seed slide 69's MediaType: a CHOICE of two STRUCTUREs, an encrypted field, valids.
MEDIA_TYPE = """<OptionDefinition><ComplexOption><Name>MediaType</Name><Type>CHOICE</Type>
  <ComplexOption><Name>FTPPush</Name><Type>STRUCTURE</Type>
    <SimpleOption><Name>FTPDir</Name><PrimitiveType>String</PrimitiveType>
      <MinValue>1</MinValue><MaxValue>100</MaxValue></SimpleOption>
    <SimpleOption><Name>Password</Name><Encrypted>Yes</Encrypted>
      <PrimitiveType>String</PrimitiveType><MinValue>1</MinValue><MaxValue>50</MaxValue>
    </SimpleOption>
    <SimpleOption><Name>Compressed</Name><PrimitiveType>String</PrimitiveType>
      <Valids><Valid>UnixCompress</Valid><Valid>GZip</Valid></Valids></SimpleOption>
  </ComplexOption>
  <ComplexOption><Name>CD</Name><Type>STRUCTURE</Type>
    <SimpleOption><Name>Copies</Name><PrimitiveType>Integer</PrimitiveType>
      <MinValue>1</MinValue><MaxValue>5</MaxValue></SimpleOption>
  </ComplexOption>
</ComplexOption></OptionDefinition>"""

JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0"
    "000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc4"
    "00b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342"
    "b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758"
    "595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2"
    "b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9"
    "faffda0008010100003f00fbd3ffd9"
)


def _polygon(points: list[tuple[float, float]]) -> str:
    """A GPolygon as ECHO 10 writes it: clockwise."""
    xml = "".join(
        f"<Point><PointLongitude>{x}</PointLongitude><PointLatitude>{y}</PointLatitude></Point>"
        for x, y in points
    )
    return (
        "<Spatial><HorizontalSpatialDomain><Geometry><GPolygon><Boundary>"
        f"{xml}</Boundary></GPolygon></Geometry></HorizontalSpatialDomain></Spatial>"
    )


#: Granule UR suffix: (clockwise boundary, browse image or None).
FOOTPRINTS = {
    # Across the antimeridian: 170°E to 170°W.
    "DATELINE": ([(170, 10), (-170, 10), (-170, -10), (170, -10)], "dateline.jpg"),
    # Round the north pole, a cap above 75°N.
    "POLAR": ([(0, 75), (-90, 75), (180, 75), (90, 75)], None),
    # Over Africa, far from the box across the antimeridian.
    "AFRICA": ([(10, 10), (20, 10), (20, 0), (10, 0)], None),
}


#: Two more collections, for the free text (CMR's keyword): "ocean" twice in the colour one's
#: names, once in the temperature one's, whose granule's name says nothing of oceans.
OCEAN_COLOUR = ("OCEAN", "ocean colour and ocean chlorophyll")
SEA_SURFACE = ("SST", "sea surface temperature of the ocean")
#: Its granule lies in the South Atlantic, clear of the other footprints and of the tests' boxes.
SST_FOOTPRINT = [(-40, -20), (-30, -20), (-30, -30), (-40, -30)]


class ConsoleSite:
    """Committed partner PROV_<tag> with its catalog and option definition, users (buyer,
    partner desk, administrator), the application on a port of its own."""

    def __init__(self, database_url: str):
        self.home = Path(tempfile.mkdtemp(prefix="console-home-"))
        self.engine = make_engine(database_url)
        self.db = Database(self.engine)
        self.settings = Settings(
            home=self.home,
            http=Address("127.0.0.1", ephemeral_port()),
            ftp=Address("127.0.0.1", ephemeral_port()),
            outbound_allow=OUTBOUND.allowed,
        )
        self.tag = uuid.uuid4().hex[:6].upper()
        self.provider = f"PROV_{self.tag}"
        self.other = f"OTHER_{self.tag}"
        self.buyer = f"buyer-{self.tag.lower()}"
        self.desk = f"desk-{self.tag.lower()}"
        self.other_desk = f"otherdesk-{self.tag.lower()}"
        self.admin = f"root-{self.tag.lower()}"
        self.dataset = f"{self.provider} swaths"
        self.ocean_colour = f"{self.provider} {OCEAN_COLOUR[1]}"
        self.sea_surface = f"{self.provider} {SEA_SURFACE[1]}"
        self.users = [self.buyer, self.desk, self.other_desk, self.admin]

    def build(self, endpoint: str | None = None) -> None:
        with self.db.session() as session:
            for provider_id in (self.provider, self.other):
                add_provider(
                    session,
                    provider_id,
                    email="ops@example.org",
                    ftp_password="ftp password 1",
                    endpoint=endpoint,
                    outbound=OUTBOUND,
                )
            add_user(session, self.buyer, password=PASSWORD, email="buyer@example.org")
            add_user(
                session,
                self.desk,
                password=PASSWORD,
                email="desk@example.org",
                providers=[self.provider],
            )
            add_user(
                session,
                self.other_desk,
                password=PASSWORD,
                email="o@example.org",
                providers=[self.other],
            )
            add_user(session, self.admin, password=PASSWORD, email="root@example.org", admin=True)
        folder = self.home / "incoming"
        folder.mkdir(parents=True)
        images = []
        granules = []
        for suffix, (points, image) in FOOTPRINTS.items():
            extra = _polygon(points)
            if image:
                (folder / image).write_bytes(JPEG)
                images.append(
                    f"<BrowseImage><ProviderBrowseId>B-{suffix}</ProviderBrowseId>"
                    f"<LastUpdate>2020-01-01T00:00:00Z</LastUpdate><FileName>{image}</FileName>"
                    f"<FileSize>{len(JPEG)}</FileSize><MimeType>image/jpeg</MimeType>"
                    "</BrowseImage>"
                )
                extra += (
                    "<AssociatedBrowseImages><ProviderBrowseId>"
                    f"B-{suffix}</ProviderBrowseId></AssociatedBrowseImages>"
                )
            granules.append(granule(f"{self.provider}.{suffix}", dataset=self.dataset, extra=extra))
        granules.append(
            granule(f"{self.provider}.SST", dataset=self.sea_surface, extra=_polygon(SST_FOOTPRINT))
        )
        collections = [
            collection("SW", dataset=self.dataset),
            collection(OCEAN_COLOUR[0], dataset=self.ocean_colour),
            collection(SEA_SURFACE[0], dataset=self.sea_surface),
        ]
        files = [
            ("CollectionMetaDataFile", {"Collections": collections}),
            ("GranuleMetaDataFile", {"Granules": granules}),
            ("BrowseMetaDataFile", {"BrowseImages": images}),
        ]
        for number, (root, sections) in enumerate(files):
            path = write(folder, f"{number}.xml", wrap(root, sections))
            report = ingest_file(self.db, path, self.provider, browse_root=self.settings.browse_dir)
            assert report.inserted == report.processed > 0, report.text
        self.perform_as(
            self.desk,
            "ProviderProfileService",
            f"<SetOptionDefinitionRequest>{MEDIA_TYPE}</SetOptionDefinitionRequest>",
        )

    def perform_as(self, username: str, service: str, request: str):
        """A message API transaction, as the user (acting for its provider, if it has one)."""
        ctx = Context(self.db, self.settings)
        ctx = Context(self.db, self.settings, functions.login(ctx, username, PASSWORD, "tests"))
        if username in (self.desk, self.other_desk):
            provider = self.provider if username == self.desk else self.other
            functions.set_provider_context(ctx, provider)
        return functions.perform(ctx, f"<{service}>{request}</{service}>")[0]

    def close(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM orders WHERE user_id IN (SELECT id FROM users"
                    " WHERE username = ANY(:u))"
                ),
                {"u": self.users},
            )
            conn.execute(text("DELETE FROM users WHERE username = ANY(:u)"), {"u": self.users})
            conn.execute(
                text("DELETE FROM providers WHERE provider_id = ANY(:p)"),
                {"p": [self.provider, self.other]},
            )
        self.engine.dispose()
        shutil.rmtree(self.home, ignore_errors=True)


@contextlib.contextmanager
def console_site(database_url: str, endpoint: str | None = None) -> Iterator[ConsoleSite]:
    site = ConsoleSite(database_url)
    try:
        site.build(endpoint)
        yield site
    finally:
        site.close()
