"""The demo data set `make run` loads once: two partners' drop box files, made by ``demo.make``.

Each partner's folder mirrors its drop box (``collection/``, ``granule/``, ``browse/``); loading
copies the files into the partners' drop boxes, and the scheduler ingests them like any upload.
"""

from importlib.resources import files
from importlib.resources.abc import Traversable

#: Partner id: (name, contact e-mail).
PARTNERS = {
    "DEMO_SAT": ("Demo Satellite Archive (swaths and global grids)", "ops@demo-sat.example"),
    "DEMO_FIELD": (
        "Demo Field Campaign Archive (sites and flight lines)",
        "ops@demo-field.example",
    ),
}


def folder(provider_id: str) -> Traversable:
    return files(__name__) / provider_id
