"""Build example cases 2 and 4: bot-amplified election interference, and a multi-partner update.

Case 2. On the eve of a special mayoral election in the fictional City of San
Aurelio, a resident posts a genuine photo of election workers carrying sealed
ballot boxes. A look-alike local news persona quote-posts it as proof of
"pre-filled ballots", and a network of automated accounts amplifies the quote
post with quote posts, reposts and likes on Kestrel, an invented
microblogging service. A fictional election-integrity office records the
case, reports the network to the platform and publishes a correction.

Case 4. A second, invented partner agency adds to example 1 (the
treated-water disinformation case): its own sightings of the narratives and
of new posts in its country, and an opinion on the first agency's
attribution. The first agency then issues new versions of the objects it
created (the incident, two narratives and a channel). The bundle carries
unchanged copies of the example 1 objects that its objects refer to, so it
validates on its own (spec/profile/10-relationships.md §10.1).

Everything in these cases is invented: agencies, accounts, platform, city,
election, record numbers. No real person is described.

Run: ``python examples/build_election_and_update_cases.py [OUTDIR]`` (default:
the examples folder). Case 4 is derived from
examples/01-treated-water-disinformation.json, so rebuild it whenever that
file changes. The output is deterministic: fixed timestamps and ids derived
from fixed seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from infoshare.models import (
    AttackPattern,
    Bundle,
    Channel,
    CourseOfAction,
    DomainName,
    Event,
    FimiIncident,
    Identity,
    Impact,
    IntrusionSet,
    Location,
    MediaContent,
    Narrative,
    Note,
    Opinion,
    Relationship,
    Report,
    Sighting,
    StixObject,
    Task,
    UserAccount,
    create,
    deterministic_id,
    new_version,
    parse_object,
    read_bundle,
    tlp_marking_definition,
    write_bundle,
)
from infoshare.profile import (
    EXT_FIMI_ACCOUNT,
    EXT_FIMI_INCIDENT,
    EXT_OASIS_INCIDENT_CORE,
    TLP_2_0_LEVELS,
    TLP_AMBER,
    TLP_GREEN,
)
from infoshare.stix.references import reference_ids

HERE = Path(__file__).parent
CASE_01 = HERE / "01-treated-water-disinformation.json"
CASE_02 = "02-election-bot-amplification.json"
CASE_04 = "04-multi-partner-update.json"

DISARM_PAGES = "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages"


def account_ext(account_class: str, platform: str, *, automated: bool) -> dict[str, Any]:
    """The FIMI account extension (spec/profile/07-accounts.md §7.2)."""
    return {
        EXT_FIMI_ACCOUNT: {
            "extension_type": "property-extension",
            "account_class": account_class,
            "is_automated": automated,
            "platform": platform,
        }
    }


# =============================================================================================
# Case 2: bot-amplified election interference
# =============================================================================================

SEED_02 = "infoshare-example-02"
T0 = "2026-11-14T06:00:00.000Z"  # the office opened the case (election day, 14:00 local time)
T1 = "2026-11-20T08:00:00.000Z"  # last update of the case and publication of the report


def oid02(stix_type: str, key: str) -> str:
    """A reproducible id for the object known as ``key`` in case 2."""
    return deterministic_id(stix_type, f"{SEED_02}/{key}")


OFFICE_ID = oid02("identity", "office")


def sdo02(model: type[Any], key: str, marking: str, /, **props: Any) -> Any:
    """A domain or relationship object of case 2, created by the office."""
    props.setdefault("created", T0)
    props.setdefault("modified", props["created"])
    return create(
        model, marking=marking, id=oid02(model.stix_type, key), created_by_ref=OFFICE_ID, **props
    )


def technique(code: str, name: str, tactic: str) -> AttackPattern:
    """A DISARM 1.6 technique of case 2, in the profile's citation form (§9.3.1)."""
    pattern: AttackPattern = sdo02(
        AttackPattern,
        f"disarm-{code}",
        TLP_GREEN,
        name=name,
        external_references=[
            {
                "source_name": "DISARM",
                "external_id": code,
                "url": f"{DISARM_PAGES}/techniques/{code}.md",
            }
        ],
        kill_chain_phases=[{"kill_chain_name": "disarm", "phase_name": tactic}],
    )
    return pattern


def counter(code: str, name: str, description: str) -> CourseOfAction:
    """A DISARM 1.6 counter of case 2 (§9.3.2)."""
    action: CourseOfAction = sdo02(
        CourseOfAction,
        f"disarm-{code}",
        TLP_GREEN,
        name=name,
        description=description,
        external_references=[
            {
                "source_name": "DISARM",
                "external_id": code,
                "url": f"{DISARM_PAGES}/counters/{code}.md",
            }
        ],
    )
    return action


def build_election_case() -> Bundle:
    objects: list[StixObject] = [
        tlp_marking_definition(TLP_GREEN),
        tlp_marking_definition(TLP_AMBER),
    ]
    add = objects.append

    # --- who and where ----------------------------------------------------------------------
    office = create(
        Identity,
        marking=TLP_GREEN,
        id=OFFICE_ID,
        created=T0,
        modified=T0,
        name="Fictional Election Information Integrity Office",
        description="Invented national office that monitors manipulation of information "
        "about elections and coordinates the response with election authorities.",
        identity_class="organization",
        sectors=["government-national"],
        contact_information="integrity-desk@election-integrity.example",
    )
    add(office)
    kestrel = sdo02(
        Identity,
        "platform-kestrel",
        TLP_GREEN,
        name="Kestrel Social (fictional platform operator)",
        description="Operator of Kestrel, an invented microblogging service with quote posts, "
        "reposts and likes.",
        identity_class="organization",
        sectors=["technology"],
    )
    add(kestrel)
    philippines = sdo02(
        Location,
        "philippines",
        TLP_GREEN,
        name="Philippines",
        region="south-eastern-asia",
        country="PH",
    )
    add(philippines)
    election = sdo02(
        Event,
        "election",
        TLP_GREEN,
        name="Special mayoral election in the City of San Aurelio (fictional), 2026",
        description="Invented special election to fill the office of mayor of the fictional "
        "City of San Aurelio. Polls open 06:00 to 19:00 local time.",
        status="occurred",
        event_types=["election"],
        start_time="2026-11-13T22:00:00.000Z",
        end_time="2026-11-14T11:00:00.000Z",
    )
    add(election)
    network = sdo02(
        IntrusionSet,
        "paper-lantern",
        TLP_AMBER,
        name="Paper Lantern Relay (fictional)",
        description="Invented network of bulk-created automated accounts that has been rented "
        "out to amplify political content before several fictional local elections.",
        first_seen="2025-05-02T00:00:00.000Z",
        goals=["Make claims of electoral fraud appear widely shared and believed"],
        resource_level="organization",
        primary_motivation="organizational-gain",
    )
    add(network)

    # --- accounts (Kestrel) -----------------------------------------------------------------
    def kestrel_account(user_id: str, marking: str, **props: Any) -> UserAccount:
        return create(
            UserAccount, marking=marking, account_type="kestrel", user_id=user_id, **props
        )

    resident = kestrel_account(
        "kst-52000987",
        TLP_AMBER,
        # A private person: no display_name, no login, not TLP:CLEAR (spec §13.1, IS-702).
        extensions=account_ext("private-person", "other", automated=False),
    )
    persona = kestrel_account(
        "kst-30000101",
        TLP_GREEN,
        account_login="SanAurelioBulletin",
        display_name="San Aurelio Bulletin",
        account_created="2026-10-02T04:11:00.000Z",
        extensions=account_ext("inauthentic", "other", automated=False),
    )
    bots = [
        kestrel_account(
            f"kst-3100{number}",
            TLP_GREEN,
            account_login=f"BantayBoto_{number}",
            display_name=f"Bantay Boto {number}",
            account_created=created,
            is_disabled=True,
            extensions=account_ext("inauthentic", "other", automated=True),
        )
        for number, created in (
            ("117", "2026-10-20T01:02:00.000Z"),
            ("204", "2026-10-20T01:04:00.000Z"),
            ("356", "2026-10-20T01:07:00.000Z"),
            ("481", "2026-10-20T01:09:00.000Z"),
        )
    ]
    objects += [resident, persona, *bots]

    bot_channel = sdo02(
        Channel,
        "channel-bots",
        TLP_GREEN,
        name="'Bantay Boto' automated account network (fictional)",
        description="312 Kestrel accounts created in bulk on 2026-10-20 with generated "
        "'vote watcher' profiles; they quote, repost and like the same posts within seconds "
        "of each other. Four of them are recorded here as examples; the platform holds the "
        "full list.",
        channel_types=["bot-network"],
        platform="other",
        account_refs=[bot.id for bot in bots],
        first_seen="2026-10-21T00:00:00.000Z",
        last_seen="2026-11-15T02:00:00.000Z",
    )
    persona_channel = sdo02(
        Channel,
        "channel-bulletin",
        TLP_GREEN,
        name="San Aurelio Bulletin (fictional look-alike local news outlet)",
        description="Kestrel account and website that present themselves as a local news "
        "outlet of San Aurelio; no such outlet is registered, and the site was set up six "
        "weeks before the election.",
        channel_types=["news-outlet", "social-media-account", "website"],
        platform="other",
        account_refs=[persona.id],
        first_seen="2026-10-02T04:11:00.000Z",
        last_seen="2026-11-16T08:00:00.000Z",
    )
    objects += [bot_channel, persona_channel]
    domain = create(DomainName, marking=TLP_GREEN, value="sanaurelio-bulletin.example")
    add(domain)

    # --- what was published -----------------------------------------------------------------
    photo_post = create(
        MediaContent,
        marking=TLP_AMBER,
        url="https://kestrel.example/kst-52000987/status/9100000000000001",
        description="Genuine photo, posted by a resident without any claim, of election workers "
        "carrying sealed ballot boxes into City Hall on the eve of the vote. The text is not "
        "recorded: it is a private person's post and not itself evidence (spec §13.1).",
        media_category="post",
        publication_date="2026-11-13T09:40:00.000Z",
        platform="other",
        author_ref=resident.id,
        archive_url="https://archive.election-integrity.example/kestrel/9100000000000001",
    )
    quote = create(
        MediaContent,
        marking=TLP_GREEN,
        url="https://kestrel.example/SanAurelioBulletin/status/9100000000000002",
        content="HULI SA KAMERA: mga balotang may laman na, ipinasok sa City Hall bago pa ang "
        "botohan! #PreFilledSanAurelio",
        description="Quote post of the resident's photo that presents the sealed ballot boxes "
        "as 'pre-filled ballots'.",
        media_category="quote-post",
        publication_date="2026-11-13T10:05:00.000Z",
        platform="other",
        author_ref=persona.id,
        language="fil",
        quote_count=1400,
        share_count=5200,
        like_count=8900,
        reply_count=2100,
        view_count=640000,
        archive_url="https://archive.election-integrity.example/kestrel/9100000000000002",
    )
    bot_quotes = [
        create(
            MediaContent,
            marking=TLP_GREEN,
            url=f"https://kestrel.example/BantayBoto_{number}/status/{status}",
            content=text,
            media_category="quote-post",
            publication_date=published,
            platform="other",
            author_ref=bot.id,
            language=language,
            quote_count=quotes,
            share_count=shares,
            like_count=likes,
            view_count=views,
        )
        for bot, number, status, text, language, published, quotes, shares, likes, views in (
            (
                bots[0],
                "117",
                "9100000000000017",
                "Hindi na nila itinago. Share bago burahin! #PreFilledSanAurelio",
                "fil",
                "2026-11-13T10:06:12.000Z",
                210,
                1900,
                3400,
                88000,
            ),
            (
                bots[1],
                "204",
                "9100000000000024",
                "They didn't even hide it. Pre-filled ballots for the mayor. Share before it's "
                "deleted! #PreFilledSanAurelio",
                "en",
                "2026-11-13T10:06:19.000Z",
                180,
                1500,
                2900,
                71000,
            ),
        )
    ]
    article = create(
        MediaContent,
        marking=TLP_GREEN,
        url="https://sanaurelio-bulletin.example/2026/11/13/pre-filled-ballots-city-hall",
        title="Residents film pre-filled ballots arriving at City Hall",
        description="Article on the look-alike outlet's website that embeds the resident's photo "
        "and quotes an unnamed 'election insider'; linked from every bot quote post.",
        media_category="article",
        publication_date="2026-11-13T11:30:00.000Z",
        platform="website",
        author_ref=persona.id,
        language="en",
        share_count=3100,
        view_count=120000,
        archive_url="https://archive.election-integrity.example/web/sanaurelio-bulletin-20261113",
    )
    objects += [photo_post, quote, *bot_quotes, article]

    narrative = sdo02(
        Narrative,
        "narrative",
        TLP_GREEN,
        name="The San Aurelio special election was rigged with pre-filled ballots",
        description="Claims that ballot boxes were filled for the incumbent's party before "
        "the polls opened and that the city's election officers hid it.",
        aliases=["#PreFilledSanAurelio", "mga balotang may laman na"],
        narrative_types=["political", "institutional-trust"],
        first_seen="2026-11-13T10:05:00.000Z",
        last_seen="2026-11-16T08:00:00.000Z",
        languages=["fil", "en"],
    )
    add(narrative)

    # --- how: DISARM 1.6 techniques and counters --------------------------------------------
    techniques = {
        code: technique(code, name, tactic)
        for code, name, tactic in (
            ("T0023.001", "Reframe Context", "develop-content"),
            ("T0015.002", "Create New Hashtag", "develop-content"),
            ("T0150.008", "Bulk Created Asset", "establish-assets"),
            ("T0146.007", "Automated Account Asset", "establish-assets"),
            ("T0097.202", "News Outlet Persona", "establish-legitimacy"),
            ("T0049", "Flood Information Space", "maximise-exposure"),
            (
                "T0049.003",
                "Bots Amplify via Automated Forwarding and Reposting",
                "maximise-exposure",
            ),
        )
    }
    objects.extend(techniques.values())
    counters = {
        "C00123": counter(
            "C00123",
            "Remove or rate limit botnets",
            "Ask the platform to suspend the automated accounts and to rate-limit new ones.",
        ),
        "C00125": counter(
            "C00125",
            "Prebunking",
            "Explain, with the city's election office, how sealed ballot boxes are moved "
            "and counted.",
        ),
    }
    objects.extend(counters.values())

    note = sdo02(
        Note,
        "note-attribution",
        TLP_AMBER,
        created=T1,
        modified=T1,
        abstract="Basis of the attribution to Paper Lantern Relay",
        content="Kestrel's disclosure of 2026-11-15 links the 312 accounts to the sign-up "
        "infrastructure of accounts it removed before two earlier fictional local elections. "
        "The accounts post within 4 to 19 seconds of each other and rest on the same daily "
        "schedule. The look-alike outlet's site shares hosting with a site of the earlier cases.",
        object_refs=[network.id, bot_channel.id, persona_channel.id],
    )
    add(note)

    tasks = [
        sdo02(
            Task,
            "platform-report",
            TLP_AMBER,
            created=T1,
            modified=T1,
            name="Report the 'Bantay Boto' network to Kestrel Social (fictional platform operator)",
            description="Reported 312 accounts to Kestrel Social (fictional platform operator) "
            "and asked for their suspension and for a context label on the San Aurelio "
            "Bulletin quote post. Legal basis: the platform's policy on platform manipulation "
            "and spam (report no. EIIO-PR-2026-0412).",
            task_types=["platform-report"],
            outcome="successful",
            start_time="2026-11-14T06:30:00.000Z",
            end_time="2026-11-15T03:00:00.000Z",
            priority=90,
        ),
        sdo02(
            Task,
            "correction",
            TLP_GREEN,
            created=T1,
            modified=T1,
            name="Publish a correction with the city's election office",
            description="Joint public statement, in Filipino and English, explaining the "
            "photographed transfer of sealed ballot boxes.",
            task_types=["public-debunk"],
            outcome="successful",
            start_time="2026-11-14T07:00:00.000Z",
            end_time="2026-11-14T09:15:00.000Z",
        ),
    ]
    objects.extend(tasks)

    impact = sdo02(
        Impact,
        "impact-confidence",
        TLP_AMBER,
        created=T1,
        modified=T1,
        impact_category="external",
        description="Election officers at City Hall received threats on election day, and a "
        "post-election survey (fictional figures) found that 31% of respondents in the city "
        "had seen the claim and 12% believed it.",
        criticality=55,
        start_time="2026-11-13T10:05:00.000Z",
        impacted_refs=[election.id],
        extensions={"external-ext": {"impact_type": "public-confidence"}},
    )
    add(impact)

    posts = [quote, *bot_quotes, article]
    engagement: dict[str, int] = {}
    for name in ("share_count", "like_count", "quote_count", "reply_count", "view_count"):
        total = sum(getattr(post, name) or 0 for post in posts)
        if total:
            engagement[name] = total
    incident = sdo02(
        FimiIncident,
        "incident",
        TLP_AMBER,
        modified=T1,
        name="Bot-amplified 'pre-filled ballots' claims during the San Aurelio special election",
        description="A look-alike local news persona turned a resident's photo of sealed ballot "
        "boxes into a claim of pre-filled ballots on election eve, and a network of 312 "
        "automated accounts on Kestrel (an invented microblogging service) quoted, reposted "
        "and liked it until the platform suspended them.",
        extensions={
            EXT_FIMI_INCIDENT: {
                "extension_type": "property-extension",
                "determination": "confirmed",
                "investigation_status": "closed",
                "fimi_types": [
                    "election-interference",
                    "coordinated-inauthentic-behaviour",
                    "disinformation",
                ],
                "first_seen": "2026-11-13T10:05:00.000Z",
                "last_seen": "2026-11-16T08:00:00.000Z",
                "target_countries": ["PH"],
                "target_languages": ["fil", "en"],
                "platforms": ["other", "website"],
                "attribution": {
                    "actor_refs": [network.id],
                    "confidence": 60,
                    "basis": [
                        "platform-disclosure",
                        "behavioural-patterns",
                        "infrastructure-overlap",
                    ],
                    "evidence_refs": [note.id],
                    "assessed_by_ref": OFFICE_ID,
                },
                "estimated_reach": 410000,
                "engagement": engagement,
                "breakout_scale": 3,
                "event_refs": [election.id],
            },
            EXT_OASIS_INCIDENT_CORE: {
                "extension_type": "property-extension",
                "determination": "confirmed",
                "investigation_status": "closed",
                "criticality": 60,
                "detection_methods": ["human-review"],
                "impact_refs": [impact.id],
                "tasks": [{"task_ref": task.id} for task in tasks],
            },
        },
    )
    add(incident)

    # --- links --------------------------------------------------------------------------------
    def link(
        kind: str, source: StixObject, target: StixObject, marking: str = TLP_GREEN, **props: Any
    ) -> None:
        add(
            sdo02(
                Relationship,
                f"{kind}:{source.id}:{target.id}",
                marking,
                relationship_type=kind,
                source_ref=source.id,
                target_ref=target.id,
                **props,
            )
        )

    link("uses", incident, narrative, TLP_AMBER)
    for channel in (persona_channel, bot_channel):
        link("uses", incident, channel, TLP_AMBER)
    for pattern in techniques.values():
        link("uses", incident, pattern, TLP_AMBER)
    link("targets", incident, philippines, TLP_AMBER)
    link(
        "attributed-to",
        incident,
        network,
        TLP_AMBER,
        confidence=60,
        description="Basis: the platform's disclosure links the accounts to the network's "
        "earlier sign-up infrastructure; identical posting schedules; shared hosting of the "
        "look-alike outlet (see the analyst note).",
    )
    for channel in (persona_channel, bot_channel):
        link("belongs-to", channel, network, TLP_AMBER)
        link("uses", network, channel, TLP_AMBER)
    link("publishes", persona_channel, quote)
    link("publishes", persona_channel, article)
    for post in bot_quotes:
        link("publishes", bot_channel, post)
        link("derived-from", post, quote)
    link("derived-from", quote, photo_post, TLP_AMBER)
    link("derived-from", article, photo_post, TLP_AMBER)
    link("amplifies", bot_channel, persona_channel)
    link("amplifies", bot_channel, narrative)
    link("amplifies", persona_channel, narrative)
    link("related-to", quote, narrative)
    link("related-to", persona_channel, domain)
    link("subtechnique-of", techniques["T0049.003"], techniques["T0049"])
    link("mitigates", counters["C00123"], techniques["T0049.003"])
    link("mitigates", counters["C00123"], techniques["T0146.007"])
    link("mitigates", counters["C00125"], techniques["T0023.001"])
    link("located-at", election, philippines)
    link("performed", office, tasks[0], TLP_AMBER)
    link("performed", office, tasks[1])
    link("uses", tasks[0], counters["C00123"], TLP_AMBER)
    link("uses", tasks[1], counters["C00125"])
    link("related-to", tasks[0], bot_channel, TLP_AMBER)
    link("related-to", tasks[0], kestrel, TLP_AMBER)
    link("related-to", tasks[0], quote, TLP_AMBER)

    report = sdo02(
        Report,
        "report",
        TLP_AMBER,
        created=T1,
        modified=T1,
        name="Bot amplification of 'pre-filled ballots' claims in the San Aurelio special "
        "election (fictional)",
        description="Case report of the fictional Election Information Integrity Office, "
        "shared with partner agencies.",
        report_types=["threat-report"],
        published=T1,
        object_refs=[obj.id for obj in objects if obj.type != "marking-definition"],
    )
    add(report)
    return Bundle.of(oid02("bundle", "bundle"), objects)


# =============================================================================================
# Case 4: a multi-partner update of case 1
# =============================================================================================

SEED_04 = "infoshare-example-04"
T2 = "2026-07-28T02:00:00.000Z"  # the partner's first sighting report
T3 = "2026-08-05T06:00:00.000Z"  # the partner's update and opinion
T4 = "2026-08-07T09:00:00.000Z"  # the first agency's new versions
NEW_LAST_SEEN = "2026-08-04T12:00:00.000Z"

# Objects of case 1 that case 4 refers to or versions.
FIRST_AGENCY_ID = "identity--acbe44ee-5053-4993-8b48-c40431821c40"
THAILAND_ID = "location--2b0f0c5a-30ba-48e4-a309-ab7a11f8734b"
NARRATIVE_ID = "narrative--3cf08b1e-1ea7-41f4-a0bc-8024d39075e6"
SUBNARRATIVE_ID = "narrative--c2e7d525-f060-404b-8e32-af79ef52c8a0"
PAGE_NETWORK_ID = "channel--d61fe77e-df8c-485e-8187-424a4f0d2eba"
INCIDENT_ID = "incident--5a7929c4-c70c-4f37-8a4d-c16e1dd5879f"
ATTRIBUTION_ID = "relationship--e078ec05-fa2f-4e9a-a2f6-f6374db123f6"


def oid04(stix_type: str, key: str) -> str:
    """A reproducible id for the object known as ``key`` in case 4."""
    return deterministic_id(stix_type, f"{SEED_04}/{key}")


PARTNER_ID = oid04("identity", "partner")


def sdo04(model: type[Any], key: str, marking: str, /, **props: Any) -> Any:
    """A domain or relationship object of case 4, created by the partner agency."""
    props.setdefault("created", T3)
    props.setdefault("modified", props["created"])
    return create(
        model, marking=marking, id=oid04(model.stix_type, key), created_by_ref=PARTNER_ID, **props
    )


def referenced_copies(case_01: Bundle, objects: list[StixObject]) -> list[StixObject]:
    """The objects of case 1 that ``objects`` need, transitively, in case 1's order.

    Objects that ``objects`` already hold (by id, e.g. new versions) and the
    well-known TLP marking-definitions are not copied.
    """
    present = {obj.id for obj in objects}
    by_id = {obj.id: obj for obj in case_01.objects}
    needed: set[str] = set()
    queue = [ref for obj in objects for ref in reference_ids(obj.to_dict())]
    while queue:
        ref = queue.pop()
        if ref in needed or ref in present or ref in TLP_2_0_LEVELS or ref not in by_id:
            continue
        needed.add(ref)
        queue.extend(reference_ids(by_id[ref].to_dict()))
    return [obj for obj in case_01.objects if obj.id in needed]


def build_update_case(case_01: Bundle) -> Bundle:
    def original(object_id: str) -> Any:
        """The case 1 object that the first agency versions here."""
        found = case_01.get(object_id)
        if found is None:
            raise SystemExit(f"{CASE_01.name} no longer holds {object_id}; update this script")
        # Only an object's creator may issue its new versions (STIX 2.1 §3.6, spec §9.4).
        if getattr(found, "created_by_ref", None) != FIRST_AGENCY_ID:
            raise SystemExit(f"{object_id} is not the first agency's object; do not version it")
        return found

    # --- the partner agency's contributions ---------------------------------------------------
    partner = create(
        Identity,
        marking=TLP_GREEN,
        id=PARTNER_ID,
        created=T2,
        modified=T2,
        name="Fictional Directorate for Public Information Resilience",
        description="Invented agency of a partner government in one of the countries targeted "
        "in example case 1; it monitors manipulation aimed at audiences in Thai.",
        identity_class="organization",
        sectors=["government-national"],
        contact_information="fimi-liaison@info-resilience.example",
    )
    new_page = create(
        UserAccount,
        marking=TLP_GREEN,
        account_type="facebook",
        user_id="100000000000205",
        account_login="OceanSafetyWatch.TH.North",
        display_name="เฝ้าระวังทะเลภาคเหนือ",
        account_created="2026-07-21T09:00:00.000Z",
        extensions=account_ext("inauthentic", "facebook", automated=False),
    )
    new_posts = [
        create(
            MediaContent,
            marking=TLP_GREEN,
            url="https://www.facebook.com/OceanSafetyWatch.TH.North/posts/7700000000000011",
            content="รัฐบาลปกปิดผลตรวจกัมมันตรังสีในอาหารทะเล อย่าให้ลูกหลานกินปลานำเข้า",
            description="Claims that the government hides radiation test results for seafood "
            "and tells parents not to feed their children imported fish.",
            media_category="post",
            publication_date="2026-07-22T05:30:00.000Z",
            platform="facebook",
            author_ref=new_page.id,
            language="th",
            share_count=2400,
            like_count=3100,
            reply_count=460,
            view_count=97000,
        ),
        create(
            MediaContent,
            marking=TLP_GREEN,
            url="https://www.facebook.com/OceanSafetyWatch.TH.North/videos/7700000000000012",
            title="ผลตรวจที่ถูกซ่อนไว้",
            description="Short video with Thai narration over the recycled 2019 storm "
            "photographs of case 1, presented as a leaked laboratory report.",
            media_category="video",
            publication_date="2026-08-01T11:00:00.000Z",
            platform="facebook",
            author_ref=new_page.id,
            language="th",
            share_count=1700,
            like_count=2000,
            reply_count=240,
            view_count=150000,
        ),
    ]
    observed = parse_object(
        {
            "type": "observed-data",
            "spec_version": "2.1",
            "id": oid04("observed-data", "new-page"),
            "created_by_ref": PARTNER_ID,
            "created": T3,
            "modified": T3,
            "first_observed": "2026-07-22T05:30:00.000Z",
            "last_observed": NEW_LAST_SEEN,
            "number_observed": 2,
            "object_refs": [new_page.id, *(post.id for post in new_posts)],
            "object_marking_refs": [TLP_GREEN],
        }
    )
    sighting_v1 = sdo04(
        Sighting,
        "sighting-narrative",
        TLP_GREEN,
        created=T2,
        description="Thai-language posts pushing the narrative, from the 'Ocean Safety Watch' "
        "pages and from a fifth page that appeared on 2026-07-21.",
        first_seen="2026-07-22T05:30:00.000Z",
        last_seen="2026-07-27T18:00:00.000Z",
        count=21,
        sighting_of_ref=NARRATIVE_ID,
        where_sighted_refs=[THAILAND_ID],
    )
    sighting_v2 = new_version(
        sighting_v1,
        modified=T3,
        last_seen=NEW_LAST_SEEN,
        count=37,
        observed_data_refs=[observed.id],
    )
    sub_sighting = sdo04(
        Sighting,
        "sighting-subnarrative",
        TLP_GREEN,
        description="Thai-language posts claiming that the government hides test results; "
        "not seen in Thai before 2026-07-22.",
        first_seen="2026-07-22T05:30:00.000Z",
        last_seen=NEW_LAST_SEEN,
        count=12,
        sighting_of_ref=SUBNARRATIVE_ID,
        observed_data_refs=[observed.id],
        where_sighted_refs=[THAILAND_ID],
    )
    partner_links = [
        sdo04(
            Relationship,
            f"publishes:{post.id}",
            TLP_GREEN,
            relationship_type="publishes",
            source_ref=PAGE_NETWORK_ID,
            target_ref=post.id,
        )
        for post in new_posts
    ] + [
        sdo04(
            Relationship,
            f"related-to:{post.id}",
            TLP_GREEN,
            relationship_type="related-to",
            source_ref=post.id,
            target_ref=SUBNARRATIVE_ID,
        )
        for post in new_posts
    ]
    opinion = sdo04(
        Opinion,
        "opinion-attribution",
        TLP_AMBER,
        opinion="agree",
        explanation="Our platform liaison confirms that the fifth page shares its two "
        "administrators with the four 'Ocean Safety Watch' pages, and its posts follow the "
        "outlet's articles by 15 to 20 minutes, as described in the analyst note. We agree with "
        "the attribution to the Grey Current Network at the stated confidence.",
        object_refs=[INCIDENT_ID, ATTRIBUTION_ID],
    )
    contributions: list[StixObject] = [
        partner,
        new_page,
        *new_posts,
        observed,
        sighting_v1,
        sighting_v2,
        sub_sighting,
        *partner_links,
        opinion,
    ]

    # --- the first agency's new versions, after the partner's input ---------------------------
    narrative = original(NARRATIVE_ID)
    subnarrative = original(SUBNARRATIVE_ID)
    page_network = original(PAGE_NETWORK_ID)
    incident = original(INCIDENT_ID)
    fimi = incident.to_dict()["extensions"][EXT_FIMI_INCIDENT]
    attribution = dict(fimi["attribution"])
    attribution.update(
        confidence=80,
        basis=[*attribution["basis"], "partner-intelligence"],
        evidence_refs=[*attribution["evidence_refs"], sighting_v2.id, opinion.id],
    )
    engagement = dict(fimi["engagement"])
    for name in engagement:
        engagement[name] += sum(getattr(post, name) or 0 for post in new_posts)
    extensions = incident.to_dict()["extensions"]
    extensions[EXT_FIMI_INCIDENT] = {
        **fimi,
        "last_seen": NEW_LAST_SEEN,
        "attribution": attribution,
        "estimated_reach": fimi["estimated_reach"] + 240000,
        "engagement": engagement,
    }
    versions: list[StixObject] = [
        new_version(narrative, modified=T4, last_seen=NEW_LAST_SEEN),
        new_version(
            subnarrative,
            modified=T4,
            last_seen=NEW_LAST_SEEN,
            languages=[*subnarrative.languages, "th"],
        ),
        new_version(
            page_network,
            modified=T4,
            description="Five Facebook pages presented as independent local consumer groups, "
            "sharing administrators and posting the outlet's articles in local languages; the "
            "fifth, in Thai, was reported by a partner agency on 2026-07-28.",
            account_refs=[*page_network.account_refs, new_page.id],
            last_seen=NEW_LAST_SEEN,
        ),
        new_version(incident, modified=T4, extensions=extensions),
        new_version(
            original(ATTRIBUTION_ID),
            modified=T4,
            confidence=80,
            description="Basis: platform disclosure of shared page administrators, identical "
            "posting patterns and shared infrastructure (see the analyst note), confirmed for a "
            "fifth page by a partner agency (see its sighting and opinion).",
        ),
    ]

    own = contributions + versions
    objects: list[StixObject] = [
        tlp_marking_definition(TLP_GREEN),
        tlp_marking_definition(TLP_AMBER),
        *referenced_copies(case_01, own),
        *own,
    ]
    return Bundle.of(oid04("bundle", "bundle"), objects)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    for name, bundle in (
        (CASE_02, build_election_case()),
        (CASE_04, build_update_case(read_bundle(CASE_01))),
    ):
        write_bundle(bundle, out / name)
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
