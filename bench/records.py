"""Benchmark data: realistic ECHO 10 granules (geodetic quadrilaterals of a few degrees, some across
the antimeridian, temporal ranges, measured parameters with QA, additional attributes, online access
URLs) of one collection, BENCH."""

from __future__ import annotations

import math
import random
from pathlib import Path

from pyproj import Geod

GEOD = Geod(ellps="WGS84")
COLLECTION = """<?xml version="1.0" encoding="UTF-8"?>
<CollectionMetaDataFile><Collections><Collection><ShortName>BENCH</ShortName>
<VersionId>1</VersionId><InsertTime>2020-01-01T00:00:00Z</InsertTime>
<LastUpdate>2020-01-01T00:00:00Z</LastUpdate><LongName>Bench</LongName><DataSetId>BENCH</DataSetId>
<Description>bench</Description><Spatial><HorizontalSpatialDomain><Geometry>
<CoordinateSystem>GEODETIC</CoordinateSystem><BoundingRectangle><WestBoundingCoordinate>-180
</WestBoundingCoordinate><NorthBoundingCoordinate>90</NorthBoundingCoordinate>
<EastBoundingCoordinate>180</EastBoundingCoordinate><SouthBoundingCoordinate>-90
</SouthBoundingCoordinate></BoundingRectangle></Geometry></HorizontalSpatialDomain>
<GranuleSpatialRepresentation>GEODETIC</GranuleSpatialRepresentation></Spatial></Collection>
</Collections></CollectionMetaDataFile>
"""


def granule_xml(n: int, rng: random.Random, prefix: str = "BENCH.G") -> str:
    lon = rng.uniform(-180, 180)
    lat = math.degrees(math.asin(rng.uniform(-0.97, 0.97)))
    size = rng.uniform(0.5, 3.0) * 111_000 / math.sqrt(2)
    azimuth = rng.uniform(0, 90)
    corners = [GEOD.fwd(lon, lat, (azimuth + k * 90) % 360, size)[:2] for k in range(4)]  # cw
    points = "".join(
        f"<Point><PointLongitude>{x:.6f}</PointLongitude><PointLatitude>{y:.6f}</PointLatitude>"
        "</Point>"
        for x, y in corners
    )
    day = rng.randrange(1, 28)
    return (
        f"<Granule><GranuleUR>{prefix}{n:09d}</GranuleUR>"
        "<InsertTime>2021-01-01T00:00:00Z</InsertTime><LastUpdate>2021-01-02T00:00:00Z</LastUpdate>"
        "<Collection><DataSetId>BENCH</DataSetId></Collection>"
        f"<DataGranule><SizeMBDataGranule>{rng.uniform(1, 900):.3f}</SizeMBDataGranule>"
        f"<ProducerGranuleId>P{n}.hdf</ProducerGranuleId><DayNightFlag>"
        f"{rng.choice(['DAY', 'NIGHT', 'BOTH'])}</DayNightFlag>"
        "<ProductionDateTime>2021-01-01T00:00:00Z</ProductionDateTime></DataGranule>"
        f"<Temporal><RangeDateTime><BeginningDateTime>2020-03-{day:02d}T10:00:00Z"
        f"</BeginningDateTime><EndingDateTime>2020-03-{day:02d}T10:05:00Z</EndingDateTime>"
        "</RangeDateTime></Temporal>"
        f"<Spatial><HorizontalSpatialDomain><Geometry><GPolygon><Boundary>{points}</Boundary>"
        "</GPolygon></Geometry></HorizontalSpatialDomain></Spatial>"
        "<MeasuredParameters><MeasuredParameter><ParameterName>Radiance</ParameterName>"
        "<QAStats><QAPercentMissingData>0</QAPercentMissingData>"
        f"<QAPercentCloudCover>{rng.randrange(100)}</QAPercentCloudCover></QAStats>"
        "<QAFlags><AutomaticQualityFlag>Passed</AutomaticQualityFlag></QAFlags>"
        "</MeasuredParameter></MeasuredParameters>"
        "<AdditionalAttributes><AdditionalAttribute><Name>Orbit</Name><Values>"
        f"<Value>{n % 14_000}</Value></Values></AdditionalAttribute></AdditionalAttributes>"
        "<OnlineAccessURLs><OnlineAccessURL>"
        f"<URL>https://data.example.org/bench/G{n:09d}.hdf</URL></OnlineAccessURL>"
        f"</OnlineAccessURLs><CloudCover>{rng.uniform(0, 100):.1f}</CloudCover></Granule>"
    )


def write_file(path: Path, count: int, seed: int, prefix: str = "BENCH.G") -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<GranuleMetaDataFile><Granules>\n')
        for n in range(count):
            out.write(granule_xml(n, rng, prefix))
            out.write("\n")
        out.write("</Granules></GranuleMetaDataFile>\n")
