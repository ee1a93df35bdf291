"""Writes the demo data set (``python -m demo.make``); a test checks the files are what it writes.

Made-up records in ECHO 10: a geodetic partner (satellite swaths, some across the antimeridian
and one near the pole, with browse images; global daily grids) and a Cartesian one (field sites as
points and boxes, flight lines).
"""

from __future__ import annotations

import math
import random
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
STAMP = "<InsertTime>2024-01-01T00:00:00Z</InsertTime><LastUpdate>2024-06-01T00:00:00Z</LastUpdate>"


def _points(points: list[tuple[float, float]]) -> str:
    return "".join(
        f"<Point><PointLongitude>{x:.4f}</PointLongitude><PointLatitude>{y:.4f}</PointLatitude>"
        "</Point>"
        for x, y in points
    )


def _box(west: float, north: float, east: float, south: float) -> str:
    return (
        f"<BoundingRectangle><WestBoundingCoordinate>{west}</WestBoundingCoordinate>"
        f"<NorthBoundingCoordinate>{north}</NorthBoundingCoordinate>"
        f"<EastBoundingCoordinate>{east}</EastBoundingCoordinate>"
        f"<SouthBoundingCoordinate>{south}</SouthBoundingCoordinate></BoundingRectangle>"
    )


def collection(
    short, version, dataset, long, description, platform, instrument, system, box, level
) -> str:
    return (
        f"<Collection><ShortName>{short}</ShortName><VersionId>{version}</VersionId>{STAMP}"
        f"<LongName>{long}</LongName><DataSetId>{dataset}</DataSetId>"
        f"<Description>{description}</Description><Orderable>true</Orderable>"
        f"<Visible>true</Visible><ProcessingLevelId>{level}</ProcessingLevelId>"
        "<ArchiveCenter>Demo Archive</ArchiveCenter>"
        "<Temporal><EndsAtPresentFlag>true</EndsAtPresentFlag><RangeDateTime>"
        "<BeginningDateTime>2024-01-01T00:00:00Z</BeginningDateTime></RangeDateTime></Temporal>"
        f"<Platforms><Platform><ShortName>{platform}</ShortName><LongName>{platform}</LongName>"
        f"<Type>Demo</Type><Instruments><Instrument><ShortName>{instrument}</ShortName>"
        "</Instrument></Instruments></Platform></Platforms>"
        f"<Spatial><HorizontalSpatialDomain><Geometry><CoordinateSystem>{system}"
        f"</CoordinateSystem>{box}</Geometry></HorizontalSpatialDomain>"
        f"<GranuleSpatialRepresentation>{system}</GranuleSpatialRepresentation></Spatial>"
        "</Collection>"
    )


def granule(
    ur: str,
    dataset: str,
    start: str,
    end: str,
    geometry: str,
    *,
    day_night: str,
    cloud: float | None,
    url: str,
    browse: str | None = None,
) -> str:
    return (
        f"<Granule><GranuleUR>{ur}</GranuleUR>{STAMP}"
        f"<Collection><DataSetId>{dataset}</DataSetId></Collection>"
        f"<DataGranule><SizeMBDataGranule>42.5</SizeMBDataGranule>"
        f"<ProducerGranuleId>{ur}.h5</ProducerGranuleId><DayNightFlag>{day_night}</DayNightFlag>"
        "<ProductionDateTime>2024-06-01T00:00:00Z</ProductionDateTime></DataGranule>"
        f"<Temporal><RangeDateTime><BeginningDateTime>{start}</BeginningDateTime>"
        f"<EndingDateTime>{end}</EndingDateTime></RangeDateTime></Temporal>"
        f"<Spatial><HorizontalSpatialDomain><Geometry>{geometry}</Geometry>"
        "</HorizontalSpatialDomain></Spatial>"
        f"<OnlineAccessURLs><OnlineAccessURL><URL>{url}</URL></OnlineAccessURL></OnlineAccessURLs>"
        + (f"<CloudCover>{cloud:.1f}</CloudCover>" if cloud is not None else "")
        + (
            f"<AssociatedBrowseImages><ProviderBrowseId>{browse}</ProviderBrowseId>"
            "</AssociatedBrowseImages>"
            if browse
            else ""
        )
        + "</Granule>"
    )


def wrap(root: str, section: str, records: list[str]) -> str:
    body = "\n".join(f"  {r}" for r in records)
    return f"{HEAD}<{root}>\n<{section}>\n{body}\n</{section}>\n</{root}>\n"


def png(width: int, height: int, seed: int) -> bytes:
    """A small gradient image, so that browse has something to show."""
    rng = random.Random(seed)
    tint = [rng.randrange(64, 256) for _ in range(3)]
    span = width + height
    rows = b"".join(
        b"\x00"
        + bytes(
            v
            for x in range(width)
            for v in (tint[0] * x // width, tint[1] * y // height, tint[2] * (x + y) // span)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _swath(lon: float, lat: float, heading: float, length: float, width: float):
    """A quadrilateral along a heading (degrees): rear left, front left, front right, rear right,
    clockwise as ECHO 10 wants."""
    h = math.radians(heading)
    dx, dy = math.sin(h) * length / 2, math.cos(h) * length / 2
    wx, wy = math.cos(h) * width / 2, -math.sin(h) * width / 2
    corners = [
        (lon - dx - wx, lat - dy - wy),
        (lon + dx - wx, lat + dy - wy),
        (lon + dx + wx, lat + dy + wy),
        (lon - dx + wx, lat - dy + wy),
    ]
    wrapped = [((x + 180) % 360 - 180, y) for x, y in corners]
    return wrapped


def _ring(corners) -> str:
    return f"<GPolygon><Boundary>{_points(corners)}</Boundary></GPolygon>"


def files() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    rng = random.Random(20240301)

    swath_ds, grid_ds = "Demo Satellite Swath Radiances V1", "Demo Daily Global Grid V2"
    out["DEMO_SAT/collection/collections.xml"] = wrap(
        "CollectionMetaDataFile",
        "Collections",
        [
            collection(
                "DEMO_SWATH",
                "1",
                swath_ds,
                "Demo swath radiances",
                "Five-minute swaths of a made-up polar orbiter.",
                "DEMOSAT-1",
                "DEMORAD",
                "GEODETIC",
                _box(-180, 90, 180, -90),
                "1B",
            ),
            collection(
                "DEMO_GRID_L3",
                "2",
                grid_ds,
                "Demo daily global grid",
                "Daily global averages on a 1-degree grid.",
                "DEMOSAT-1",
                "DEMORAD",
                "GEODETIC",
                _box(-180, 90, 180, -90),
                "3",
            ),
        ],
    ).encode()

    swaths = []
    centres = [(-150 + 13 * n, -60 + 5 * n) for n in range(24)]
    centres[5] = (178.5, 10.0)  # across the antimeridian
    centres[6] = (-179.0, 16.0)
    centres[23] = (40.0, 80.0)  # near the pole
    for n, (lon, lat) in enumerate(centres):
        minute = 5 * n
        start = f"2024-03-01T{10 + minute // 60:02d}:{minute % 60:02d}:00Z"
        end = f"2024-03-01T{10 + (minute + 5) // 60:02d}:{(minute + 5) % 60:02d}:00Z"
        geometry = _ring(_swath(lon, lat, rng.uniform(-20, 20), 18, 8))
        swaths.append(
            granule(
                f"DEMO_SWATH.2024061.{n:03d}",
                swath_ds,
                start,
                end,
                geometry,
                day_night="DAY" if n % 3 else "NIGHT",
                cloud=rng.uniform(0, 100),
                url=f"https://data.demo-sat.example/swath/2024061/{n:03d}.h5",
                browse=f"QL{n:03d}" if n < 4 else None,
            )
        )
    out["DEMO_SAT/granule/swaths.xml"] = wrap("GranuleMetaDataFile", "Granules", swaths).encode()
    grids = [
        granule(
            f"DEMO_GRID_L3.2024-03-0{d}",
            grid_ds,
            f"2024-03-0{d}T00:00:00Z",
            f"2024-03-0{d}T23:59:59Z",
            _box(-180, 90, 180, -90),
            day_night="BOTH",
            cloud=None,
            url=f"https://data.demo-sat.example/grid/2024-03-0{d}.nc",
        )
        for d in range(1, 8)
    ]
    out["DEMO_SAT/granule/grids.xml"] = wrap("GranuleMetaDataFile", "Granules", grids).encode()

    images = []
    for n in range(4):
        name = f"quicklook_{n:03d}.png"
        out[f"DEMO_SAT/browse/{name}"] = png(96, 48, n)
        images.append(
            f"<BrowseImage><ProviderBrowseId>QL{n:03d}</ProviderBrowseId>{STAMP}"
            f"<FileName>{name}</FileName><FileSize>{len(out[f'DEMO_SAT/browse/{name}'])}"
            "</FileSize><Description>Quick look</Description><MimeType>image/png</MimeType>"
            "</BrowseImage>"
        )
    out["DEMO_SAT/browse/browse.xml"] = wrap("BrowseMetaDataFile", "BrowseImages", images).encode()

    sites_ds, flights_ds = "Demo Field Site Measurements V1", "Demo Airborne Flight Lines V1"
    out["DEMO_FIELD/collection/collections.xml"] = wrap(
        "CollectionMetaDataFile",
        "Collections",
        [
            collection(
                "DEMO_SITES",
                "1",
                sites_ds,
                "Demo field sites",
                "Tower measurements at field sites.",
                "TOWER",
                "FLUXMETER",
                "CARTESIAN",
                _box(-125, 50, -65, 25),
                "2",
            ),
            collection(
                "DEMO_FLIGHTS",
                "1",
                flights_ds,
                "Demo flight lines",
                "Airborne radiometer flight lines.",
                "DEMO-AIRCRAFT",
                "DEMOSPEC",
                "CARTESIAN",
                _box(-125, 50, -65, 25),
                "1B",
            ),
        ],
    ).encode()
    sites = []
    for n in range(8):
        lon, lat = rng.uniform(-120, -70), rng.uniform(28, 48)
        geometry = (
            _points([(lon, lat)])
            if n % 2 == 0
            else _box(
                round(lon - 0.5, 4), round(lat + 0.5, 4), round(lon + 0.5, 4), round(lat - 0.5, 4)
            )
        )
        sites.append(
            granule(
                f"DEMO_SITES.site{n:02d}.2024",
                sites_ds,
                "2024-05-01T00:00:00Z",
                "2024-05-31T23:59:59Z",
                geometry,
                day_night="BOTH",
                cloud=None,
                url=f"https://data.demo-field.example/sites/site{n:02d}.csv",
            )
        )
    out["DEMO_FIELD/granule/sites.xml"] = wrap("GranuleMetaDataFile", "Granules", sites).encode()
    flights = []
    for n in range(5):
        lon, lat = rng.uniform(-115, -80), rng.uniform(30, 45)
        track = [(lon + 0.8 * k, lat + rng.uniform(-0.3, 0.3)) for k in range(5)]
        flights.append(
            granule(
                f"DEMO_FLIGHTS.f{n:02d}",
                flights_ds,
                f"2024-05-{10 + n:02d}T15:00:00Z",
                f"2024-05-{10 + n:02d}T19:00:00Z",
                f"<Line>{_points(track)}</Line>",
                day_night="DAY",
                cloud=rng.uniform(0, 40),
                url=f"https://data.demo-field.example/flights/f{n:02d}.h5",
            )
        )
    out["DEMO_FIELD/granule/flights.xml"] = wrap(
        "GranuleMetaDataFile", "Granules", flights
    ).encode()
    return out


def main() -> None:
    for name, content in files().items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
