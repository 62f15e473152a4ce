"""Build example case 3: a deepfake-enabled investment scam on social platforms.

A fictional TV presenter is impersonated in a deepfake video advert (with a
cloned voice) that promotes a fake crypto investment platform. The adverts
run on Facebook and YouTube from inauthentic accounts and lead victims to a
LINE group and then to the fake platform. A fictional national anti-fraud
centre records the incident, asks the platforms to take the content down
and records the harm.

Everything in this case is invented: the agency, the presenter, the
accounts, the platform and the record numbers.

Run: ``python examples/build_deepfake_scam_case.py [OUT]`` (default:
examples/03-deepfake-investment-scam.json). The output is deterministic:
fixed timestamps and ids derived from fixed seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from infoshare.models import (
    AttackPattern,
    Bundle,
    Channel,
    DomainName,
    FimiIncident,
    Identity,
    Impact,
    Location,
    MediaContent,
    Narrative,
    Relationship,
    StixObject,
    Task,
    ThreatActor,
    Url,
    UserAccount,
    create,
    deterministic_id,
    tlp_marking_definition,
    write_bundle,
)
from infoshare.profile import (
    EXT_FIMI_ACCOUNT,
    EXT_FIMI_INCIDENT,
    EXT_OASIS_INCIDENT_CORE,
    TLP_AMBER,
    TLP_GREEN,
)

DEFAULT_OUT = Path(__file__).with_name("03-deepfake-investment-scam.json")
SEED = "infoshare-example-03"
T0 = "2026-10-14T09:30:00.000Z"  # when the centre opened the case
T1 = "2026-10-21T16:45:00.000Z"  # last update of the case


def oid(stix_type: str, key: str) -> str:
    """A reproducible id for the object known as ``key`` in this case."""
    return deterministic_id(stix_type, f"{SEED}/{key}")


def sdo(model: type[Any], key: str, marking: str, /, **props: Any) -> Any:
    """A domain or relationship object of this case, created by the agency."""
    props.setdefault("created", T0)
    props.setdefault("modified", props["created"])
    return create(
        model, marking=marking, id=oid(model.stix_type, key), created_by_ref=AGENCY_ID, **props
    )


AGENCY_ID = oid("identity", "agency")
FIMI_ACCOUNT = {"extension_type": "property-extension"}


def build() -> Bundle:
    objects: list[StixObject] = [
        tlp_marking_definition(TLP_AMBER),
        tlp_marking_definition(TLP_GREEN),
    ]
    add = objects.append

    # --- who -------------------------------------------------------------------------------
    agency = create(
        Identity,
        marking=TLP_GREEN,
        id=AGENCY_ID,
        created=T0,
        modified=T0,
        name="Fictional National Anti-Fraud Centre",
        identity_class="organization",
        sectors=["government-national"],
        description="Invented national agency that receives fraud reports from the public.",
    )
    add(agency)
    presenter = sdo(
        Identity,
        "presenter",
        TLP_AMBER,
        name="Aiko Hoshizora (fictional TV presenter)",
        identity_class="individual",
        description="Invented public figure whose face and voice were imitated in the adverts.",
    )
    add(presenter)
    platforms = {
        key: sdo(
            Identity,
            f"platform-{key}",
            TLP_GREEN,
            name=label,
            identity_class="organization",
            sectors=["technology"],
            description=f"Operator of the {key} platform.",
        )
        for key, label in (
            ("facebook", "Facebook (platform operator)"),
            ("youtube", "YouTube (platform operator)"),
            ("line", "LINE (platform operator)"),
        )
    }
    objects.extend(platforms.values())
    japan = sdo(Location, "japan", TLP_GREEN, name="Japan", country="JP", region="eastern-asia")
    add(japan)
    scammers = sdo(
        ThreatActor,
        "scammers",
        TLP_AMBER,
        name="Cobalt Lantern Group (fictional)",
        threat_actor_types=["crime-syndicate"],
        primary_motivation="personal-gain",
        description="Invented criminal group behind the fake platform, known from earlier "
        "fictional cases by shared payment infrastructure.",
    )
    add(scammers)

    # --- where: accounts, channels, the fake platform ---------------------------------------
    accounts: dict[str, UserAccount] = {}
    for key, platform, login, display in (
        ("fb", "facebook", "hoshizora.wealth.club", "Hoshizora Wealth Club"),
        ("yt", "youtube", "@HoshizoraMoneyTalk", "Hoshizora Money Talk"),
        ("line", "line", "hoshizora-vip-salon", "Hoshizora VIP Salon"),
    ):
        accounts[key] = create(
            UserAccount,
            marking=TLP_GREEN,
            account_type=platform,
            account_login=login,
            display_name=display,
            extensions={
                EXT_FIMI_ACCOUNT: {
                    **FIMI_ACCOUNT,
                    "account_class": "inauthentic",
                    "is_automated": False,
                    "platform": platform,
                }
            },
        )
    objects.extend(accounts.values())

    channels = {
        "fb": sdo(
            Channel,
            "channel-fb",
            TLP_GREEN,
            name="Hoshizora Wealth Club (Facebook page)",
            channel_types=["social-media-page", "advertising-account"],
            platform="facebook",
            account_refs=[accounts["fb"].id],
            first_seen="2026-09-28T07:00:00.000Z",
            last_seen="2026-10-17T22:10:00.000Z",
        ),
        "yt": sdo(
            Channel,
            "channel-yt",
            TLP_GREEN,
            name="Hoshizora Money Talk (YouTube channel)",
            channel_types=["video-channel", "advertising-account"],
            platform="youtube",
            account_refs=[accounts["yt"].id],
            first_seen="2026-10-02T03:00:00.000Z",
        ),
        "line": sdo(
            Channel,
            "channel-line",
            TLP_GREEN,
            name="Hoshizora VIP Salon (LINE group)",
            channel_types=["messaging-channel"],
            platform="line",
            account_refs=[accounts["line"].id],
            first_seen="2026-09-30T12:00:00.000Z",
        ),
    }
    objects.extend(channels.values())

    site_url = "https://hoshizora-coin-yield.example/register"
    site = create(Url, marking=TLP_GREEN, value=site_url)
    domain = create(DomainName, marking=TLP_GREEN, value="hoshizora-coin-yield.example")
    objects += [site, domain]

    # --- what was published -------------------------------------------------------------------
    advert = create(
        MediaContent,
        marking=TLP_GREEN,
        url="https://www.facebook.com/hoshizora.wealth.club/videos/4410000000000001",
        title="Aiko Hoshizora reveals her secret: 30% a month with crypto",
        description="Sponsored video advert: a deepfake of the presenter, with a cloned voice, "
        "recommends the fake platform and shows a link to it.",
        media_category="advertisement",
        publication_date="2026-09-28T07:05:00.000Z",
        platform="facebook",
        author_ref=accounts["fb"].id,
        language="ja",
        view_count=186000,
        share_count=2300,
        like_count=5400,
        reply_count=870,
        is_synthetic=True,
        hashes={"SHA-256": "5f0c3e7d3f6a1b2c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d"},
    )
    video = create(
        MediaContent,
        marking=TLP_GREEN,
        url="https://www.youtube.com/watch?v=Hx0fiction1",
        title="[Exclusive interview] Hoshizora's investment method",
        description="Longer deepfake 'interview' with the cloned voice; the description links to "
        "the LINE group.",
        media_category="video",
        publication_date="2026-10-02T03:20:00.000Z",
        platform="youtube",
        author_ref=accounts["yt"].id,
        language="ja",
        view_count=74000,
        like_count=1200,
        reply_count=310,
        is_synthetic=True,
    )
    invite = create(
        MediaContent,
        marking=TLP_GREEN,
        url="https://line.me/ti/g2/fictional-hoshizora-vip",
        title="VIP salon: first deposit bonus until Friday",
        content="Register today and the platform doubles your first deposit. Limited places.",
        media_category="post",
        publication_date="2026-10-03T11:00:00.000Z",
        platform="line",
        author_ref=accounts["line"].id,
        language="ja",
        is_synthetic=False,
    )
    objects += [advert, video, invite]

    narrative = sdo(
        Narrative,
        "narrative",
        TLP_GREEN,
        name="A trusted celebrity vouches for guaranteed crypto returns",
        description="A well-known presenter personally recommends a platform that pays fixed "
        "monthly returns, and places are running out.",
        narrative_types=["financial-scam"],
        languages=["ja"],
        first_seen="2026-09-28T07:05:00.000Z",
        last_seen="2026-10-17T22:10:00.000Z",
    )
    add(narrative)

    # --- how: DISARM 1.6 techniques -----------------------------------------------------------
    techniques = {}
    for code, name, tactic in (
        ("T0137.002", "Scam", "plan-objectives"),
        ("T0087.001", "Develop AI-Generated Videos (Deepfakes)", "develop-content"),
        ("T0088.001", "Develop AI-Generated Audio (Deepfakes)", "develop-content"),
        ("T0143.003", "Impersonated Persona", "establish-legitimacy"),
        ("T0114", "Deliver Ads", "deliver-content"),
        ("T0148.008", "Cryptocurrency Exchange Platform", "establish-assets"),
    ):
        techniques[code] = sdo(
            AttackPattern,
            f"disarm-{code}",
            TLP_GREEN,
            name=name,
            external_references=[{"source_name": "DISARM", "external_id": code}],
            kill_chain_phases=[{"kill_chain_name": "disarm", "phase_name": tactic}],
        )
    objects.extend(techniques.values())

    # --- response: takedown requests and the fraud-database report ---------------------------
    def takedown(key: str, target: MediaContent, outcome: str, end: str | None, basis: str) -> Task:
        props: dict[str, Any] = {"end_time": end} if end else {}
        return sdo(
            Task,
            f"takedown-{key}",
            TLP_AMBER,
            created=T1,
            name=f"Takedown request to {platforms[key].name}",
            task_types=["takedown-request"],
            outcome=outcome,
            start_time="2026-10-15T10:00:00.000Z",
            priority=80,
            description=f"Asked {platforms[key].name} to remove {target.url} and suspend the "
            f"account behind it. Legal basis: {basis}.",
            **props,
        )

    tasks = [
        takedown(
            "facebook",
            advert,
            "successful",
            "2026-10-16T08:12:00.000Z",
            "the platform's advertising policy on scams and impersonation",
        ),
        takedown(
            "youtube",
            video,
            "successful",
            "2026-10-17T02:40:00.000Z",
            "the platform's impersonation policy",
        ),
        takedown(
            "line",
            invite,
            "pending",
            None,
            "fictional Act on Fraud Prevention, art. 12 (request no. AFC-TD-2026-0193)",
        ),
        sdo(
            Task,
            "fraud-db-report",
            TLP_AMBER,
            created=T1,
            name="Record in the national anti-fraud database",
            task_types=["reported"],
            outcome="successful",
            start_time="2026-10-14T09:30:00.000Z",
            end_time="2026-10-14T11:00:00.000Z",
            description="Victim reports consolidated into record NAFD-2026-004417.",
        ),
    ]
    objects.extend(tasks)

    impacts = [
        sdo(
            Impact,
            "impact-economic",
            TLP_AMBER,
            impact_category="external",
            description="Victims report deposits of about JPY 380 million in total to the fake "
            "platform (fictional figure).",
            impacted_entity_counts={"individuals": 412},
            criticality=75,
            start_time="2026-09-29T00:00:00.000Z",
            extensions={"external-ext": {"impact_type": "economic"}},
        ),
        sdo(
            Impact,
            "impact-confidence",
            TLP_AMBER,
            impact_category="external",
            description="Viewers doubt genuine appearances of the presenter and of financial "
            "advice on the platforms.",
            criticality=40,
            extensions={"external-ext": {"impact_type": "public-confidence"}},
        ),
    ]
    objects.extend(impacts)

    # --- the incident ----------
    incident = sdo(
        FimiIncident,
        "incident",
        TLP_AMBER,
        created=T0,
        modified=T1,
        name="Deepfake presenter adverts for the fake 'Hoshizora Coin Yield' platform",
        description="Deepfake video adverts impersonating a TV presenter promote a fake crypto "
        "investment platform on Facebook and YouTube, funnelling viewers into a LINE "
        "group where they are pressed to deposit money.",
        external_references=[
            {
                "source_name": "Fictional National Anti-Fraud Database",
                "external_id": "NAFD-2026-004417",
                "url": "https://anti-fraud.example/records/NAFD-2026-004417",
                "description": "Consolidated victim reports (fictional record).",
            }
        ],
        extensions={
            EXT_FIMI_INCIDENT: {
                "extension_type": "property-extension",
                "determination": "confirmed",
                "investigation_status": "open",
                "fimi_types": ["fraud-scam", "impersonation"],
                "first_seen": "2026-09-28T07:05:00.000Z",
                "last_seen": "2026-10-17T22:10:00.000Z",
                "target_countries": ["JP"],
                "target_languages": ["ja"],
                "platforms": ["facebook", "youtube", "line"],
                "estimated_reach": 240000,
                "engagement": {
                    "view_count": 260000,
                    "share_count": 2300,
                    "like_count": 6600,
                    "reply_count": 1180,
                },
                "breakout_scale": 2,
                "synthetic_media": {
                    "present": True,
                    "kinds": ["deepfake-video", "voice-clone"],
                    "detection_methods": [
                        "forensic video analysis",
                        "confirmation by the impersonated person's agency",
                    ],
                    "confidence": 95,
                },
                "attribution": {
                    "actor_refs": [scammers.id],
                    "confidence": 60,
                    "basis": ["financial-trail", "infrastructure-overlap"],
                    "assessed_by_ref": AGENCY_ID,
                },
            },
            EXT_OASIS_INCIDENT_CORE: {
                "extension_type": "property-extension",
                "determination": "confirmed",
                "investigation_status": "open",
                "criticality": 70,
                "detection_methods": ["user-reporting"],
                "impact_refs": [impact.id for impact in impacts],
                "tasks": [{"task_ref": task.id} for task in tasks],
            },
        },
    )
    add(incident)

    # --- links ----------------------------------------------------------------------------------
    def link(
        kind: str, source: StixObject, target: StixObject, marking: str = TLP_AMBER, **props: Any
    ) -> None:
        add(
            sdo(
                Relationship,
                f"{kind}:{source.id}:{target.id}",
                marking,
                relationship_type=kind,
                source_ref=source.id,
                target_ref=target.id,
                **props,
            )
        )

    link("uses", incident, narrative)
    for channel in channels.values():
        link("uses", incident, channel)
    for technique in techniques.values():
        link("uses", incident, technique)
    link("targets", incident, japan)
    link(
        "attributed-to",
        incident,
        scammers,
        confidence=60,
        description="Basis: payments to the fake platform go to wallets seen in earlier "
        "fictional cases of the group, and the site shares hosting with them.",
    )
    for key, post in (("fb", advert), ("yt", video), ("line", invite)):
        link("publishes", channels[key], post, TLP_GREEN)
    link("belongs-to", channels["line"], scammers)
    for task in tasks:
        link("performed", agency, task)
    for task, post, key in zip(
        tasks, (advert, video, invite), ("facebook", "youtube", "line"), strict=False
    ):
        link("related-to", task, post)
        link("related-to", task, platforms[key])
    link("related-to", invite, site, TLP_GREEN)
    link("related-to", site, domain, TLP_GREEN)

    return Bundle.of(oid("bundle", "bundle"), objects)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    write_bundle(build(), out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
