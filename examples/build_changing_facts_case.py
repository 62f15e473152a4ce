"""Build example case 5: a troll network, a suspended account and a post's growing reach.

In the fictional Republic of Varenna, the "Lumen Ridge wind farm makes
people sick" story spreads on Kestrel, an invented microblogging service.
The account @ridge_truth_daily posts it with a doctored chart; a troll
network of about 180 accounts, "Ridge Voices", amplifies the post and the
story with quote posts and likes. A fictional Varenna Office for Information
Integrity follows the case for a week: the platform suspends the account,
then restores it after an appeal; the post's likes, shares, quotes and
views grow day by day; the network's quote posts and likes are counted every
two days. Each changing fact is a version of one object
(spec/profile/16-changing-facts.md).

Everything in this case is invented: the country, the office, the platform,
the accounts and the wind farm.

Run: ``python examples/build_changing_facts_case.py [OUT]`` (default:
examples/05-troll-network-over-a-week.json). The output is deterministic:
fixed timestamps and ids derived from fixed seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from infoshare.models import (
    Bundle,
    EngagementMeasurement,
    FimiIncident,
    Identity,
    MediaContent,
    Narrative,
    Relationship,
    Sighting,
    StixObject,
    UserAccount,
    account_state,
    coordinated_network,
    create,
    deterministic_id,
    engagement,
    measurement,
    parse_object,
    state_change,
    tlp_marking_definition,
    write_bundle,
)
from infoshare.profile import EXT_FIMI_ACCOUNT, EXT_FIMI_INCIDENT, TLP_AMBER, TLP_GREEN

DEFAULT_OUT = Path(__file__).with_name("05-troll-network-over-a-week.json")
SEED = "infoshare-example-05"
T0 = "2026-11-02T08:00:00.000Z"  # the office opens the case
POSTED = "2026-11-01T18:20:00.000Z"  # the post is published


def oid(stix_type: str, key: str) -> str:
    """A reproducible id for the object known as ``key`` in this case."""
    return deterministic_id(stix_type, f"{SEED}/{key}")


AGENCY_ID = oid("identity", "agency")
PLATFORM_ID = oid("identity", "platform")


def day(number: int, time: str = "08:00") -> str:
    """A time on the ``number``-th day of November 2026."""
    return f"2026-11-{number:02d}T{time}:00.000Z"


def by_agency(**props: Any) -> dict[str, Any]:
    """The common properties of the office's own records."""
    return {"created_by_ref": AGENCY_ID, **props}


def organisation(identity_id: str, name: str, sector: str) -> Identity:
    return create(Identity, marking=TLP_GREEN, id=identity_id, created=T0, modified=T0,
                  name=name, identity_class="organization", sectors=[sector])  # fmt: skip


def kestrel_account(login: str, account_class: str, automated: bool) -> UserAccount:
    return create(
        UserAccount,
        marking=TLP_GREEN,
        account_type="kestrel",
        user_id=f"k-{login}",
        account_login=login,
        extensions={
            EXT_FIMI_ACCOUNT: {
                "extension_type": "property-extension",
                "account_class": account_class,
                "is_automated": automated,
                "platform": "other",
            }
        },
    )


def measured_series(
    key: str,
    subject_ref: str,
    readings: list[tuple[int, dict[str, int]]],
    time: str,
    **source: Any,
) -> list[EngagementMeasurement]:
    """One engagement series: its first measurement, then a version per later reading."""
    (first_day, first_counts), later = readings[0], readings[1:]
    versions = [
        engagement(
            subject_ref,
            day(first_day, time),
            first_counts,
            marking=TLP_GREEN,
            id=oid("engagement", key),
            **by_agency(created=day(first_day), modified=day(first_day)),
            **source,
        )
    ]
    for number, counts in later:
        versions.append(measurement(versions[-1], day(number, time), counts, modified=day(number)))
    return versions


def build() -> Bundle:
    agency = organisation(AGENCY_ID, "Varenna Office for Information Integrity (fictional)",
                          "government")  # fmt: skip
    platform = organisation(PLATFORM_ID, "Kestrel (fictional microblogging service)",
                            "technology")  # fmt: skip
    narrative = create(
        Narrative,
        marking=TLP_GREEN,
        id=oid("narrative", "wind-farm"),
        **by_agency(created=T0, modified=T0),
        name="The Lumen Ridge wind farm makes people sick",
        description="Claims that low-frequency noise from the new Lumen Ridge wind farm "
        "causes headaches and miscarriages, backed by a doctored hospital-admissions chart.",
        narrative_types=["health", "energy"],
        first_seen=POSTED,
        languages=["it"],
    )
    author = kestrel_account("ridge_truth_daily", "inauthentic", False)
    members = [
        kestrel_account(login, "inauthentic", False)
        for login in ("ridge_voice_014", "ridge_voice_027", "mamma_di_lumen", "vento_malato")
    ]
    post = create(
        MediaContent,
        marking=TLP_GREEN,
        url="https://kestrel.example/ridge_truth_daily/posts/88120417",
        content="Admissions at Lumen hospital tripled since the turbines started. They knew.",
        media_category="post",
        publication_date=POSTED,
        platform="other",
        author_ref=author.id,
        language="it",
        archive_url="https://archive.example/k/88120417",
    )
    quote = create(
        MediaContent,
        marking=TLP_GREEN,
        url="https://kestrel.example/ridge_voice_014/posts/88121903",
        content="My sister felt it too. Share before they delete it.",
        media_category="quote-post",
        publication_date="2026-11-01T18:24:00.000Z",
        platform="other",
        author_ref=members[0].id,
        language="it",
    )
    network = coordinated_network(
        "Ridge Voices (troll network on Kestrel)",
        ["synchronised-posting", "copy-paste-text", "shared-creation-dates", "engagement-bursts"],
        marking=TLP_GREEN,
        id=oid("channel", "ridge-voices"),
        **by_agency(created=T0, modified=T0),
        channel_types=["troll-network"],
        platform="other",
        account_refs=[member.id for member in members],
        estimated_size=180,
        estimate_method="accounts that quote-posted the chart within ten minutes of it, "
        "created in September 2026, and posting in the same two daily shifts",
        estimated_at=day(2, "06:00"),
        first_seen=POSTED,
    )

    # The author's account: suspended on day 3, restored after an appeal on day 6.
    suspended = account_state(
        author.id,
        "suspended",
        day(3, "14:10"),
        marking=TLP_GREEN,
        id=oid("account-state", "author"),
        **by_agency(created=day(3, "16:00"), modified=day(3, "16:00")),
        decided_by_ref=PLATFORM_ID,
        reason="platform manipulation: coordinated amplification",
        external_references=[
            {
                "source_name": "Kestrel transparency notice (fictional)",
                "external_id": "KTN-2026-11-0342",
            }
        ],
    )
    restored = state_change(
        suspended,
        "restored",
        day(6, "09:30"),
        decided_by_ref=PLATFORM_ID,
        reason="appeal granted; the post stays up with a context label",
        modified=day(6, "11:00"),
    )

    # The post's engagement, read from the platform every day for a week.
    readings = [
        (2, {"like_count": 140, "share_count": 61, "quote_count": 38, "view_count": 9800}),
        (3, {"like_count": 1210, "share_count": 530, "quote_count": 214, "view_count": 71000}),
        (4, {"like_count": 2480, "share_count": 990, "quote_count": 305, "view_count": 133000}),
        (6, {"like_count": 4050, "share_count": 1410, "quote_count": 362, "view_count": 188000}),
        (8, {"like_count": 5010, "share_count": 1620, "quote_count": 371, "view_count": 201500}),
    ]
    post_series = measured_series("post", post.id, readings, "07:30",
                                  measured_by_ref=PLATFORM_ID,
                                  measurement_method="platform-api")  # fmt: skip

    # What the network gave the story: quote posts and likes by its known members.
    amplification_readings = [
        (2, {"quote_count": 96, "like_count": 410}),
        (4, {"quote_count": 233, "like_count": 1370}),
        (6, {"quote_count": 251, "like_count": 1655}),
    ]
    amplification = measured_series(
        "amplification", narrative.id, amplification_readings, "07:45",
        amplifier_ref=network.id, counted_from=POSTED, measured_by_ref=AGENCY_ID,
        measurement_method="manual-count",
        description="Quote posts and likes of posts carrying the story, made by the "
        "accounts the office attributes to the network.",
    )  # fmt: skip

    # A sighting of the post: of the story it carries, with the post in an observed-data.
    observed = parse_object(
        {
            "type": "observed-data",
            "spec_version": "2.1",
            "id": oid("observed-data", "post"),
            "created_by_ref": AGENCY_ID,
            "created": T0,
            "modified": T0,
            "first_observed": "2026-11-01T18:45:00.000Z",
            "last_observed": "2026-11-01T18:45:00.000Z",
            "number_observed": 1,
            "object_refs": [post.id, author.id],
            "object_marking_refs": [TLP_GREEN],
        }
    )
    sighting = create(
        Sighting,
        marking=TLP_GREEN,
        id=oid("sighting", "post"),
        **by_agency(created=T0, modified=T0),
        sighting_of_ref=narrative.id,
        observed_data_refs=[observed.id],
        where_sighted_refs=[AGENCY_ID],
        first_seen="2026-11-01T18:45:00.000Z",
        last_seen="2026-11-01T18:45:00.000Z",
        count=1,
    )

    incident = create(
        FimiIncident,
        marking=TLP_AMBER,
        id=oid("incident", "case"),
        **by_agency(created=T0, modified=T0),
        name="Troll network pushes wind-farm health scare on Kestrel",
        description="A network of about 180 accounts amplifies a doctored chart claiming "
        "that the Lumen Ridge wind farm makes people sick.",
        extensions={
            EXT_FIMI_INCIDENT: {
                "extension_type": "property-extension",
                "determination": "suspected",
                "investigation_status": "open",
                "fimi_types": ["disinformation", "coordinated-inauthentic-behaviour"],
                "first_seen": POSTED,
                "platforms": ["other"],
            }
        },
    )

    links: list[StixObject] = []

    def link(kind: str, source: StixObject, target: StixObject, marking: str) -> None:
        links.append(
            create(
                Relationship,
                marking=marking,
                id=oid("relationship", f"{kind}:{source.id}:{target.id}"),
                **by_agency(created=T0, modified=T0),
                relationship_type=kind,
                source_ref=source.id,
                target_ref=target.id,
            )
        )

    link("uses", incident, narrative, TLP_AMBER)
    link("uses", incident, network, TLP_AMBER)
    link("amplifies", network, narrative, TLP_GREEN)
    link("amplifies", network, post, TLP_GREEN)
    link("derived-from", quote, post, TLP_GREEN)

    objects: list[StixObject] = [
        tlp_marking_definition(TLP_GREEN),
        tlp_marking_definition(TLP_AMBER),
        agency,
        platform,
        incident,
        narrative,
        author,
        *members,
        post,
        quote,
        network,
        suspended,
        restored,
        *post_series,
        *amplification,
        observed,
        sighting,
        *links,
    ]
    return Bundle(id=oid("bundle", "case"), objects=objects)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    write_bundle(build(), out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
