"""Generate large, realistic, profile-valid FIMI bundles for the benchmarks.

Each generated case looks like the examples: an incident with its FIMI
extension, narratives, channels, inauthentic and private accounts, posts,
relationships, sightings, a takedown task and an impact, all TLP-marked and
with every reference resolving. Output is deterministic for a given seed.

    python -m benchmarks.generate --objects 100000 --out benchmarks/.data/profile-100k.json
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from infoshare.models.builders import sco_id
from infoshare.profile import (
    EXT_CHANNEL,
    EXT_FIMI_ACCOUNT,
    EXT_FIMI_INCIDENT,
    EXT_MEDIA_CONTENT,
    EXT_NARRATIVE,
    EXT_OASIS_EVENT,
    EXT_OASIS_IMPACT,
    EXT_OASIS_TASK,
    TLP_AMBER,
    TLP_CLEAR,
    TLP_GREEN,
)
from infoshare.reference import disarm_framework
from infoshare.stix.identifiers import expected_sco_id

#: Techniques the generated cases cite; their tactics come from DISARM 1.6 itself.
TECHNIQUE_IDS = ["T0049", "T0049.003", "T0086.002", "T0023", "T0091.003", "T0087"]
TECHNIQUES = [(tid, disarm_framework().tactics_of(tid)[0].shortname) for tid in TECHNIQUE_IDS]
COUNTRIES = ["JP", "PH", "TH", "VN", "ID", "MY", "SG", "US"]
LANGUAGES = ["ja", "en", "th", "vi", "tl", "id", "ms"]
PLATFORMS = ["x", "facebook", "tiktok", "youtube", "telegram", "line"]


class CaseFactory:
    """Builds cases object by object, from one seeded random source."""

    def __init__(self, seed: int = 20261122) -> None:
        self.rng = random.Random(seed)
        self.day = 0

    def uid(self, kind: str) -> str:
        return f"{kind}--{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"

    def when(self, minute: int) -> str:
        day = 1 + (self.day % 28)
        month = 1 + (self.day // 28) % 12
        return f"2026-{month:02d}-{day:02d}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00.000Z"

    def sdo(self, kind: str, marking: str, **props: Any) -> dict[str, Any]:
        stamp = self.when(self.rng.randrange(600))
        return {
            "type": kind,
            "spec_version": "2.1",
            "id": self.uid(kind),
            "created": stamp,
            "modified": stamp,
            "object_marking_refs": [marking],
            **props,
        }

    def relationship(self, kind: str, source: str, target: str) -> dict[str, Any]:
        return self.sdo(
            "relationship", TLP_AMBER, relationship_type=kind, source_ref=source, target_ref=target
        )

    def shared(self) -> list[dict[str, Any]]:
        """Objects every case points at: agencies, countries, DISARM techniques, an election."""
        self.agencies = [
            self.sdo(
                "identity",
                TLP_GREEN,
                name=f"Fictional Partner Agency {n}",
                identity_class="organization",
            )
            for n in range(3)
        ]
        self.locations = {
            code: self.sdo("location", TLP_CLEAR, name=f"Country {code}", country=code)
            for code in COUNTRIES
        }
        self.techniques = [
            self.sdo(
                "attack-pattern",
                TLP_CLEAR,
                name=f"DISARM {tid}",
                external_references=[{"source_name": "DISARM", "external_id": tid}],
                kill_chain_phases=[{"kill_chain_name": "disarm", "phase_name": tactic}],
            )
            for tid, tactic in TECHNIQUES
        ]
        self.event = self.sdo(
            "event",
            TLP_CLEAR,
            name="Fictional general election",
            status="occurred",
            event_types=["election"],
            start_time="2026-05-10T00:00:00.000Z",
            end_time="2026-05-10T12:00:00.000Z",
            extensions={EXT_OASIS_EVENT: {"extension_type": "new-sdo"}},
        )
        return [*self.agencies, *self.locations.values(), *self.techniques, self.event]

    def case(self, posts: int = 40, accounts: int = 20) -> Iterator[dict[str, Any]]:
        """One case: about 2.3 objects per post."""
        self.day += 1
        rng = self.rng
        agency = rng.choice(self.agencies)
        countries = rng.sample(COUNTRIES, 2)
        platform = rng.choice(PLATFORMS)
        narratives = [
            self.sdo(
                "narrative",
                TLP_GREEN,
                name=f"Narrative {self.day}-{n}",
                narrative_types=["election-fraud-claim"],
                extensions={EXT_NARRATIVE: {"extension_type": "new-sdo"}},
            )
            for n in range(2)
        ]
        channel = self.sdo(
            "channel",
            TLP_AMBER,
            name=f"Amplification network {self.day}",
            channel_types=["bot-network"],
            platform=platform,
            extensions={EXT_CHANNEL: {"extension_type": "new-sdo"}},
        )
        yield from narratives
        yield channel
        account_ids = []
        for n in range(accounts):
            account = {
                "type": "user-account",
                "spec_version": "2.1",
                "id": sco_id(
                    "user-account",
                    {"account_type": platform, "account_login": f"fict_acct_{self.day}_{n}"},
                ),
                "account_login": f"fict_acct_{self.day}_{n}",
                "account_type": platform,
                "object_marking_refs": [TLP_AMBER],
                "extensions": {
                    EXT_FIMI_ACCOUNT: {
                        "extension_type": "property-extension",
                        "account_class": "inauthentic",
                        "is_automated": True,
                    }
                },
            }
            account_ids.append(account["id"])
            yield account
        for n in range(posts):
            url = f"https://{platform}.example/post/{self.day}/{n}"
            post_id = expected_sco_id({"type": "media-content", "url": url})
            yield {
                "type": "media-content",
                "spec_version": "2.1",
                "id": post_id,
                "url": url,
                "media_category": "quote-post" if n % 3 else "post",
                "content": "Fictional post text used for benchmarking only.",
                "publication_date": self.when(n),
                "platform": platform,
                "author_ref": account_ids[n % accounts],
                "language": rng.choice(LANGUAGES),
                "share_count": rng.randrange(5000),
                "like_count": rng.randrange(20000),
                "quote_count": rng.randrange(800),
                "reply_count": rng.randrange(300),
                "object_marking_refs": [TLP_GREEN],
                "extensions": {EXT_MEDIA_CONTENT: {"extension_type": "new-sco"}},
            }
            yield self.relationship("publishes", channel["id"], post_id)
        incident = self.sdo(
            "incident",
            TLP_AMBER,
            name=f"Coordinated amplification case {self.day}",
            created_by_ref=agency["id"],
            extensions={
                EXT_FIMI_INCIDENT: {
                    "extension_type": "property-extension",
                    "determination": "suspected",
                    "investigation_status": "open",
                    "fimi_types": ["election-interference", "coordinated-inauthentic-behaviour"],
                    "first_seen": self.when(0),
                    "last_seen": self.when(500),
                    "target_countries": countries,
                    "target_languages": ["en"],
                    "platforms": [platform],
                    "estimated_reach": rng.randrange(10**6),
                    "breakout_scale": rng.randrange(1, 7),
                    "event_refs": [self.event["id"]],
                }
            },
        )
        yield incident
        for technique in rng.sample(self.techniques, 2):
            yield self.relationship("uses", incident["id"], technique["id"])
        for code in countries:
            yield self.relationship("targets", incident["id"], self.locations[code]["id"])
        yield self.sdo(
            "sighting",
            TLP_AMBER,
            sighting_of_ref=incident["id"],
            where_sighted_refs=[agency["id"]],
            count=rng.randrange(1, 50),
        )
        yield self.sdo(
            "task",
            TLP_AMBER,
            name=f"Takedown request for case {self.day}",
            task_types=["reported"],
            outcome="successful",
            extensions={EXT_OASIS_TASK: {"extension_type": "new-sdo"}},
        )
        yield self.sdo(
            "impact",
            TLP_AMBER,
            impact_category="external",
            extensions={
                EXT_OASIS_IMPACT: {"extension_type": "new-sdo"},
                "external-ext": {"impact_type": "public-confidence"},
            },
        )


def generate_objects(count: int, seed: int = 20261122) -> Iterator[dict[str, Any]]:
    """Yield about ``count`` objects (whole cases; never fewer than asked)."""
    factory = CaseFactory(seed)
    produced = 0
    for obj in factory.shared():
        produced += 1
        yield obj
    while produced < count:
        for obj in factory.case():
            produced += 1
            yield obj


def generate_cases(seed: int = 20261122) -> Iterator[list[dict[str, Any]]]:
    """The objects of :func:`generate_objects` grouped: the shared objects first, then
    one list per case, endlessly. No object refers to one in a later group, and no
    case to another case, so after the first group the groups may be posted in any
    order, or at the same time."""
    factory = CaseFactory(seed)
    yield list(factory.shared())
    while True:
        yield list(factory.case())


def write_bundle(path: Path, count: int, seed: int = 20261122) -> int:
    """Stream a bundle of about ``count`` objects to ``path``; return the object count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '{"type": "bundle", "id": "bundle--'
            + str(uuid.UUID(int=seed, version=4))
            + '", "objects": [\n'
        )
        for obj in generate_objects(count, seed):
            if written:
                out.write(",\n")
            out.write(json.dumps(obj, ensure_ascii=False))
            written += 1
        out.write("\n]}\n")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    print(f"wrote {write_bundle(args.out, args.objects, args.seed)} objects to {args.out}")


if __name__ == "__main__":
    main()
