"""Build example cases 8 and 9: a takedown request answered in part, and a referral.

Case 8: a fictional Japanese coordination office and a fictional US office
co-author an assessment of impersonation posts that spread false evacuation
orders during a typhoon. The Japanese office asks an invented platform,
under Japan's platform law route, to remove three posts, suspend one account
and block one URL. The platform acknowledges, removes two posts and the URL,
refuses to suspend the account, and the author of the third post appeals its
removal. Each step is a new version of the same task, and all four are in
the bundle. The office is part of a coordinating body, as is a ministry.

Case 9: a fictional Vietnamese anti-fraud centre refers the Facebook pages,
group and accounts behind a deepfake investment scam to a national
anti-fraud database, under a data-sharing agreement; the database records
all but one item, which it already held.

Everything in these cases is invented: the agencies, the platform, the
accounts, the posts, the record numbers and the agreement. The law named in
case 8 is named only as the route such a request takes; no provision of it
is quoted.

Run: ``python examples/build_platform_action_cases.py [OUT_DIR]`` (default:
examples/). The output is deterministic: fixed timestamps and ids derived
from fixed seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from infoshare.models import (
    Bundle,
    Channel,
    FimiIncident,
    Identity,
    MediaContent,
    Relationship,
    Report,
    StixObject,
    Task,
    ThreatActor,
    Url,
    UserAccount,
    acknowledge_request,
    create,
    decide_items,
    deterministic_id,
    joint_authorship,
    legal_basis,
    platform_request,
    record_appeal,
    referral_request,
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

HERE = Path(__file__).parent
CASE_08 = "08-takedown-partly-answered.json"
CASE_09 = "09-anti-fraud-database-referral.json"


class Case:
    """Reproducible ids and creators for the objects of one example case."""

    def __init__(self, seed: str, creator: str) -> None:
        self.seed = seed
        self.creator = creator

    def oid(self, stix_type: str, key: str) -> str:
        return deterministic_id(stix_type, f"{self.seed}/{key}")

    def sdo(self, model: type[Any], key: str, marking: str, /, **props: Any) -> Any:
        """A domain or relationship object of this case, created by ``self.creator``."""
        props.setdefault("modified", props["created"])
        props.setdefault("created_by_ref", self.creator)
        return create(model, marking=marking, id=self.oid(model.stix_type, key), **props)

    def organisation(self, key: str, created: str, name: str, **props: Any) -> Identity:
        props.setdefault("identity_class", "organization")
        return create(
            Identity,
            marking=TLP_GREEN,
            id=self.oid("identity", key),
            created=created,
            modified=created,
            name=name,
            **props,
        )

    def link(
        self, kind: str, source: StixObject, target: StixObject, created: str, **props: Any
    ) -> Relationship:
        return self.sdo(  # type: ignore[no-any-return]
            Relationship,
            f"{kind}:{source.id}:{target.id}",
            props.pop("marking", TLP_AMBER),
            created=created,
            relationship_type=kind,
            source_ref=source.id,
            target_ref=target.id,
            **props,
        )


def markings() -> list[StixObject]:
    """The two TLP 2.0 marking-definitions the cases use."""
    return [tlp_marking_definition(TLP_GREEN), tlp_marking_definition(TLP_AMBER)]


def account(platform: str, login: str, account_class: str = "inauthentic") -> UserAccount:
    return create(
        UserAccount,
        marking=TLP_GREEN,
        account_type=platform,
        account_login=login,
        extensions={
            EXT_FIMI_ACCOUNT: {
                "extension_type": "property-extension",
                "account_class": account_class,
                "is_automated": False,
                "platform": platform,
            }
        },
    )


def post(url: str, author: UserAccount, published: str, title: str, **props: Any) -> MediaContent:
    props.setdefault("media_category", "post")
    return create(
        MediaContent,
        marking=TLP_GREEN,
        url=url,
        title=title,
        publication_date=published,
        author_ref=author.id,
        **props,
    )


def fimi(task: Task, **props: Any) -> dict[str, Any]:
    """The FIMI extension, and Incident Core listing the request (§17.1)."""
    verdict = {"determination": "confirmed", "investigation_status": "open"}
    return {
        EXT_FIMI_INCIDENT: {"extension_type": "property-extension", **verdict, **props},
        EXT_OASIS_INCIDENT_CORE: {
            "extension_type": "property-extension",
            **verdict,
            "tasks": [{"task_ref": task.id}],
        },
    }


# --- case 8 -----------------------------------------------------------------------------------

T8 = "2026-09-08T02:00:00.000Z"  # the office opens the case


def build_case_08() -> Bundle:
    case = Case("infoshare-example-08", deterministic_id("identity", "infoshare-example-08/office"))
    objects = markings()
    council = case.organisation(
        "council",
        T8,
        "Fictional National Council on Information Integrity",
        sectors=["government-national"],
        description="Invented body that coordinates the government's response to information "
        "manipulation.",
    )
    office = case.organisation(
        "office",
        T8,
        "Fictional Disaster Information Integrity Office (Japan)",
        sectors=["government-national"],
        description="Invented office that watches for false information during disasters.",
    )
    ministry = case.organisation(
        "ministry",
        T8,
        "Fictional Ministry of Communications",
        sectors=["government-national"],
        description="Invented ministry that handles requests to platforms.",
    )
    partner = case.organisation(
        "partner",
        T8,
        "Fictional Office for Foreign Information Threats (United States)",
        sectors=["government-national"],
        description="Invented US office that co-wrote the assessment.",
    )
    platform = case.organisation(
        "platform",
        T8,
        "Sakura Stream (fictional platform operator)",
        sectors=["technology"],
        description="Invented microblogging platform.",
    )
    objects += [council, office, ministry, partner, platform]
    objects += [
        case.link("part-of", office, council, T8, marking=TLP_GREEN),
        case.link("part-of", ministry, council, T8, marking=TLP_GREEN),
    ]

    actor = case.sdo(
        ThreatActor,
        "actor",
        TLP_AMBER,
        created=T8,
        name="Grey Heron Network (fictional)",
        threat_actor_types=["spy"],
        description="Invented network of impersonation accounts seen in earlier fictional cases.",
    )
    impostor = account("sakura-stream", "jma_alerts_official")
    reposter = account("sakura-stream", "typhoon_watch_kyushu")
    posts = [
        post(
            f"https://sakura-stream.example/jma_alerts_official/status/{number}",
            impostor,
            published,
            title,
            language="ja",
        )
        for number, published, title in (
            (7001, "2026-09-07T21:10:00.000Z", "Evacuation order: all of Fukuoka City, now"),
            (7002, "2026-09-07T21:40:00.000Z", "Shelters are full; do not go to them"),
        )
    ]
    posts.append(
        post(
            "https://sakura-stream.example/typhoon_watch_kyushu/status/7003",
            reposter,
            "2026-09-07T22:05:00.000Z",
            "Repost: evacuation order for Fukuoka City",
            language="ja",
        )
    )
    site = create(Url, marking=TLP_GREEN, value="https://jma-alerts-official.example/evacuate")
    objects += [actor, impostor, reposter, *posts, site]

    # The request, and each step of its life as a new version of the same task.
    submitted = "2026-09-08T03:00:00.000Z"
    request = platform_request(
        marking=TLP_AMBER,
        id=case.oid("task", "takedown"),
        created=submitted,
        created_by_ref=office.id,
        name="Request to Sakura Stream: impersonation of the weather agency",
        description="Posts impersonate the national weather agency and spread a false "
        "evacuation order during a typhoon.",
        priority=90,
        platform_ref=platform.id,
        legal_basis=[
            legal_basis("law", "Information Distribution Platform Act", jurisdiction="JP"),
            legal_basis("platform-policy", "Sakura Stream rules on impersonation"),
        ],
        requested_actions=["remove", "suspend"],
        target_refs=[*(p.id for p in posts), impostor.id, site.id],
        submitted=submitted,
        agency_reference="DIIO-2026-0412",
    )
    acknowledged = acknowledge_request(
        request,
        acknowledged="2026-09-08T05:30:00.000Z",
        platform_reference="SS-TS-88213",
        modified="2026-09-08T05:30:00.000Z",
    )
    decided_at = "2026-09-09T09:00:00.000Z"
    answered = decide_items(
        acknowledged,
        {
            posts[0].id: ("removed", "impersonation of a public agency"),
            posts[1].id: ("removed", "impersonation of a public agency"),
            posts[2].id: ("removed", "spreads a false evacuation order"),
            site.id: ("restricted", "link blocked on the platform"),
            impostor.id: ("refused", "the account also posts parody and is labelled as such"),
        },
        decided=decided_at,
        modified=decided_at,
    )
    appealed = record_appeal(
        answered,
        posts[2].id,
        appellant="account-holder",
        appellant_ref=reposter.id,
        appealed="2026-09-10T01:00:00.000Z",
        reason="the holder says the repost warned others that the order was false",
        modified="2026-09-10T01:00:00.000Z",
    )
    versions: list[Task] = [request, acknowledged, answered, appealed]
    objects += versions

    incident = case.sdo(
        FimiIncident,
        "incident",
        TLP_AMBER,
        created=T8,
        modified=decided_at,
        created_by_ref=office.id,
        name="False evacuation orders in the name of the weather agency",
        description="Impersonation accounts spread a false evacuation order for Fukuoka City "
        "during a typhoon.",
        extensions={
            **fimi(
                request,
                fimi_types=["disinformation", "impersonation"],
                first_seen="2026-09-07T21:10:00.000Z",
                target_countries=["JP"],
                target_languages=["ja"],
                platforms=["other"],
                attribution={
                    "actor_refs": [actor.id],
                    "confidence": 45,
                    "basis": ["behavioural-patterns", "infrastructure-overlap"],
                    "assessed_by_ref": office.id,
                },
            ),
            **joint_authorship(partner.id),
        },
    )
    report = case.sdo(
        Report,
        "report",
        TLP_AMBER,
        created="2026-09-11T00:00:00.000Z",
        created_by_ref=office.id,
        name="Joint assessment: impersonation of the weather agency during a typhoon",
        report_types=["threat-report"],
        published="2026-09-11T00:00:00.000Z",
        object_refs=[incident.id, actor.id, request.id],
        extensions=joint_authorship(partner.id),
    )
    objects += [incident, report]
    objects += [
        case.link(
            "attributed-to",
            incident,
            actor,
            decided_at,
            created_by_ref=office.id,
            confidence=40,
            description="Basis: the accounts follow the posting pattern and reuse the link "
            "infrastructure of earlier fictional cases of the network.",
        ),
        case.link("performed", office, versions[-1], T8, created_by_ref=office.id),
    ]
    return Bundle.of(case.oid("bundle", "bundle"), objects)


# --- case 9 -----------------------------------------------------------------------------------

T9 = "2026-11-02T01:00:00.000Z"


def build_case_09() -> Bundle:
    case = Case("infoshare-example-09", deterministic_id("identity", "infoshare-example-09/centre"))
    objects = markings()
    centre = case.organisation(
        "centre",
        T9,
        "Fictional National Anti-Fraud Centre (Viet Nam)",
        sectors=["government-national"],
        description="Invented centre that receives reports of online fraud.",
    )
    database = case.organisation(
        "database",
        T9,
        "Fictional National Anti-Fraud Database",
        identity_class="system",
        description="Invented national database of accounts, pages and groups used for fraud, "
        "which banks and platforms consult.",
    )
    objects += [centre, database]

    page_account = account("facebook", "vietwealth.academy.official")
    group_account = account("facebook", "vip-trading-room-vn")
    admin = account("facebook", "minh.trading.mentor")
    page = case.sdo(
        Channel,
        "page",
        TLP_GREEN,
        created=T9,
        name="Viet Wealth Academy (Facebook page)",
        channel_types=["social-media-page", "advertising-account"],
        platform="facebook",
        account_refs=[page_account.id],
    )
    group = case.sdo(
        Channel,
        "group",
        TLP_GREEN,
        created=T9,
        name="VIP Trading Room (Facebook group)",
        channel_types=["messaging-channel"],
        platform="facebook",
        account_refs=[group_account.id, admin.id],
    )
    advert = post(
        "https://www.facebook.com/vietwealth.academy.official/videos/5520000000000001",
        page_account,
        "2026-10-25T12:00:00.000Z",
        "A famous economist reveals his trading bot",
        media_category="advertisement",
        language="vi",
        is_synthetic=True,
    )
    objects += [page_account, group_account, admin, page, group, advert]

    submitted = "2026-11-02T03:00:00.000Z"
    agreement = legal_basis(
        "data-sharing-agreement",
        "Fictional agreement on sharing fraud data with the national anti-fraud database",
        jurisdiction="VN",
        reference="NAFD-DSA-2025-07",
    )
    referral = referral_request(
        marking=TLP_AMBER,
        id=case.oid("task", "referral"),
        created=submitted,
        created_by_ref=centre.id,
        name="Referral to the national anti-fraud database: Viet Wealth Academy scam",
        description="Deepfake adverts of an economist lead victims to a group that sells a fake "
        "trading bot.",
        database_ref=database.id,
        agreement=agreement,
        record_id="NAFD-2026-118204",
        target_refs=[page.id, group.id, page_account.id, admin.id, advert.id],
        submitted=submitted,
        agency_reference="NAFC-2026-3391",
    )
    decided_at = "2026-11-02T08:00:00.000Z"
    recorded = decide_items(
        referral,
        {
            page.id: ("recorded", None),
            group.id: ("recorded", None),
            page_account.id: ("recorded", None),
            admin.id: ("no-action", "already recorded under NAFD-2026-117950"),
            advert.id: ("recorded", None),
        },
        decided=decided_at,
        modified=decided_at,
    )
    objects += [referral, recorded]

    incident = case.sdo(
        FimiIncident,
        "incident",
        TLP_AMBER,
        created=T9,
        modified=decided_at,
        name="Deepfake economist adverts for a fake trading bot",
        description="Deepfake video adverts of a well-known economist promote a fake trading "
        "bot through a Facebook page and group.",
        extensions=fimi(
            referral,
            fimi_types=["fraud-scam", "impersonation"],
            target_countries=["VN"],
            target_languages=["vi"],
            platforms=["facebook"],
            synthetic_media={"present": True, "kinds": ["deepfake-video"]},
        ),
    )
    objects += [
        incident,
        case.link("uses", incident, page, T9),
        case.link("uses", incident, group, T9),
        case.link("performed", centre, recorded, T9),
    ]
    return Bundle.of(case.oid("bundle", "bundle"), objects)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    for name, build in ((CASE_08, build_case_08), (CASE_09, build_case_09)):
        write_bundle(build(), out / name)
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
