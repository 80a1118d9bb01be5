"""Deterministic generator of JSONPlaceholder-shaped data.

One ``random.Random(seed)`` drives everything in a fixed order, so the same seed yields
byte-identical data on every machine and Python version (``Random``'s core generator and
the methods used here are stable). Word lists are our own; only the shapes, counts and
field orders follow JSONPlaceholder.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["COUNTS", "generate"]

Item = dict[str, Any]

COUNTS: dict[str, int] = {
    "users": 10,
    "posts": 100,
    "comments": 500,
    "albums": 100,
    "photos": 5000,
    "todos": 200,
}
"""How many items each resource starts with (the same as JSONPlaceholder)."""


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


_WORDS = _split(
    "amber anchor arbor atlas aurora autumn balance basin beacon birch bloom border breeze "
    "bridge brook canyon canvas cedar chalk channel cinder circle cliff clover cobalt comet "
    "copper coral crater crystal current dawn delta desert drift dune echo ember falcon fern "
    "field fjord flame flint forest fossil frost garden glacier granite grove harbor harvest "
    "haven hazel heron horizon island ivory jasper juniper kernel lagoon lantern larch ledge "
    "lily linen lumen maple marble meadow mesa meteor mist moss nectar north oasis ocean "
    "onyx orbit orchard paddle pebble pepper pine pixel plain plume prairie prism quarry "
    "quartz quill raven reef ridge river robin rowan saffron sage shore signal silver slate "
    "sparrow spruce summit tide timber topaz tundra valley vapor velvet vessel willow window "
    "winter yarrow zenith"
)

_FIRST = _split(
    "Ada Bruno Celia Dorian Elena Felix Greta Hugo Iris Jonas Kira Leon Mara Nico Olga "
    "Pavel Rosa Silas Tess Viktor"
)
_LAST = _split(
    "Abbot Brandt Castell Dunmore Everly Farrow Galloway Hartwell Ingram Jessup Kettering "
    "Lindqvist Marlowe Norcross Okafor Pembroke Quintero Rowntree Sandoval Thackeray"
)
_STREETS = _split(
    "Orchard Lane|Harbor Road|Quarry Street|Willow Court|Summit Avenue|Cedar Row|"
    "Lantern Way|Meadow Drive|Granite Place|Heron Crescent|Birch Terrace|Falcon Path"
, "|")
_CITIES = _split(
    "Port Alder|New Harwick|Eastmere|Stonebridge|Larkfield|Westhollow|Brightwater|"
    "Fernhill|Northgate|Ravensport|Millbrook|Oakhaven"
, "|")
_TLDS = ("com", "org", "net", "io", "info", "biz")
_CATCH = _split(
    "adaptive balanced centralized distributed elastic focused guided holistic integrated "
    "layered modular networked optimized proactive resilient scalable streamlined unified"
)
_CATCH2 = _split(
    "client-driven context-aware cross-platform data-centric fault-tolerant multi-tier "
    "real-time user-facing value-added zero-defect"
)
_CATCH3 = _split(
    "architecture capability framework interface methodology middleware model paradigm "
    "pipeline platform protocol service solution strategy toolset workflow"
)
_BS_VERB = _split("align cultivate deliver empower enable harness integrate orchestrate unlock")
_BS_ADJ = _split("agile bespoke dynamic frictionless granular intuitive lean robust seamless viral")
_BS_NOUN = _split("channels ecosystems experiences markets metrics networks partnerships platforms")


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high)))


def _paragraphs(rng: random.Random) -> str:
    return "\n".join(_sentence(rng, 6, 12) for _ in range(rng.randint(2, 4)))


def _coordinate(rng: random.Random, limit: float) -> str:
    return f"{rng.uniform(-limit, limit):.4f}"


def _users(rng: random.Random) -> list[Item]:
    users: list[Item] = []
    firsts = rng.sample(_FIRST, COUNTS["users"])
    lasts = rng.sample(_LAST, COUNTS["users"])
    for index, (first, last) in enumerate(zip(firsts, lasts, strict=True), start=1):
        username = f"{first}.{last}{rng.randint(1, 99)}" if index % 3 == 0 else first + last[:3]
        company_last = rng.choice(_LAST)
        users.append(
            {
                "id": index,
                "name": f"{first} {last}",
                "username": username,
                "email": f"{first}@{last.lower()}.{rng.choice(_TLDS)}",
                "address": {
                    "street": rng.choice(_STREETS),
                    "suite": f"{rng.choice(('Apt.', 'Suite'))} {rng.randint(100, 999)}",
                    "city": rng.choice(_CITIES),
                    "zipcode": f"{rng.randint(10000, 99999)}-{rng.randint(1000, 9999)}",
                    "geo": {"lat": _coordinate(rng, 90), "lng": _coordinate(rng, 180)},
                },
                "phone": (
                    f"1-{rng.randint(200, 999)}-{rng.randint(200, 999)}-"
                    f"{rng.randint(1000, 9999)} x{rng.randint(100, 99999)}"
                ),
                "website": f"{last.lower()}.{rng.choice(_TLDS)}",
                "company": {
                    "name": f"{company_last}-{rng.choice(_LAST)}",
                    "catchPhrase": (
                        f"{rng.choice(_CATCH).capitalize()} {rng.choice(_CATCH2)} "
                        f"{rng.choice(_CATCH3)}"
                    ),
                    "bs": f"{rng.choice(_BS_VERB)} {rng.choice(_BS_ADJ)} {rng.choice(_BS_NOUN)}",
                },
            }
        )
    return users


def generate(seed: int) -> dict[str, list[Item]]:
    """All resources for ``seed``, each a list of items in id order with JSONPlaceholder's fields.

    >>> data = generate(1)
    >>> list(data["todos"][0])
    ['userId', 'id', 'title', 'completed']
    """
    rng = random.Random(seed)
    users = _users(rng)
    posts = [
        {"userId": (i - 1) // 10 + 1, "id": i, "title": _sentence(rng, 3, 8),
         "body": _paragraphs(rng)}
        for i in range(1, COUNTS["posts"] + 1)
    ]
    comments = []
    for i in range(1, COUNTS["comments"] + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        comments.append(
            {"postId": (i - 1) // 5 + 1, "id": i, "name": _sentence(rng, 3, 6),
             "email": f"{first}.{last}@{rng.choice(_WORDS)}.{rng.choice(_TLDS)}",
             "body": _paragraphs(rng)}
        )
    albums = [
        {"userId": (i - 1) // 10 + 1, "id": i, "title": _sentence(rng, 2, 6)}
        for i in range(1, COUNTS["albums"] + 1)
    ]
    photos = []
    for i in range(1, COUNTS["photos"] + 1):
        colour = f"{rng.getrandbits(24):06x}"
        photos.append(
            {"albumId": (i - 1) // 50 + 1, "id": i, "title": _sentence(rng, 3, 7),
             "url": f"https://via.placeholder.com/600/{colour}",
             "thumbnailUrl": f"https://via.placeholder.com/150/{colour}"}
        )
    todos = [
        {"userId": (i - 1) // 20 + 1, "id": i, "title": _sentence(rng, 2, 6),
         "completed": rng.random() < 0.45}
        for i in range(1, COUNTS["todos"] + 1)
    ]
    return {
        "users": users,
        "posts": posts,
        "comments": comments,
        "albums": albums,
        "photos": photos,
        "todos": todos,
    }
