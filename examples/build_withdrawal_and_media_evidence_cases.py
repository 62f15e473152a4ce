"""Build example cases 10 and 11: a withdrawn false positive, and per-item deepfake evidence.

Case 10 (spec/profile/20-withdrawal.md): a fictional election-integrity
office takes an ordinary person's account for part of a bot network and
shares an incident about it, with the account and one of the person's
posts. A week later it finds the person posted in good faith: it issues a
new version of the incident with the determination false-positive and then
withdraws the incident, the relationship, the post and the account. The file
holds what the office sent, in the order it sent it.

Case 11 (spec/profile/19-synthetic-media.md): a fictional media-verification
unit records three items of a deepfake campaign against an invented
minister: a face-swapped, lip-synced video, a cloned-voice audio clip and a
genuine photograph re-captioned to mislead. Each item carries its SHA-256
and perceptual hashes, and each has its own synthetic-media-analysis; the
video's analysis is first inconclusive and, in a second version, synthetic.

Everything in both cases is invented: the offices, the minister, the
person, the accounts, the posts and the hashes.

Run: ``python examples/build_withdrawal_and_media_evidence_cases.py [DIR]``
(default: examples/). The output is deterministic: fixed timestamps and ids
derived from fixed seeds.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infoshare.models import (
    Bundle,
    Channel,
    FimiIncident,
    Identity,
    MediaContent,
    Relationship,
    StixObject,
    UserAccount,
    analyse_media,
    create,
    deterministic_id,
    new_version,
    tlp_marking_definition,
    withdraw,
    write_bundle,
)
from infoshare.profile import EXT_FIMI_ACCOUNT, EXT_FIMI_INCIDENT, TLP_AMBER, TLP_GREEN

HERE = Path(__file__).parent
CASE_10 = "10-false-positive-withdrawal.json"
CASE_11 = "11-deepfake-per-item-evidence.json"


@dataclass(frozen=True)
class Case:
    """One example case: its number, the organisation that records it, when it opened."""

    number: str
    author_key: str
    opened: str

    def oid(self, stix_type: str, key: str) -> str:
        """A reproducible id for the object known as ``key`` in this case."""
        return deterministic_id(stix_type, f"infoshare-example-{self.number}/{key}")

    @property
    def author_id(self) -> str:
        return self.oid("identity", self.author_key)

    def author(self, name: str, description: str) -> Identity:
        """The (fictional) government organisation that records the case."""
        return create(
            Identity,
            marking=TLP_GREEN,
            id=self.author_id,
            created=self.opened,
            modified=self.opened,
            name=name,
            identity_class="organization",
            sectors=["government-national"],
            description=description,
        )

    def sdo(self, model: type[Any], key: str, marking: str, /, **props: Any) -> Any:
        """A domain or relationship object of this case, created by its author."""
        props.setdefault("created", self.opened)
        props.setdefault("modified", props["created"])
        return create(
            model, marking=marking, id=self.oid(model.stix_type, key),
            created_by_ref=self.author_id, **props,
        )  # fmt: skip


def fake_digest(label: str, hex_digits: int) -> str:
    """An invented hash of the right length (the media themselves are invented)."""
    return hashlib.sha512(label.encode()).hexdigest()[:hex_digits]


def fake_tmk(label: str) -> str:
    """An invented TMK+PDQF hash: a short TMK feature-vector header and body, in base64."""
    return base64.b64encode(b"TMK1FVECPDQF" + hashlib.sha512(label.encode()).digest()).decode()


def classified_account(marking: str, account_class: str, platform: str, **ids: str) -> UserAccount:
    """A user-account on ``platform`` with the FIMI account extension (spec §7)."""
    return create(
        UserAccount,
        marking=marking,
        account_type=platform,
        **ids,
        extensions={
            EXT_FIMI_ACCOUNT: {
                "extension_type": "property-extension",
                "account_class": account_class,
                "platform": platform,
            }
        },
    )


# --- case 10 ---------------------------------------------------------------------------------

T10_OPEN = "2026-03-02T08:15:00.000Z"
T10_REVIEW = "2026-03-09T09:30:00.000Z"
T10_WITHDRAW = "2026-03-09T10:00:00.000Z"


def build_case_10() -> Bundle:
    case = Case("10", "office", T10_OPEN)
    office = case.author(
        "Fictional Election Integrity Office",
        "Invented national office that monitors manipulation around elections.",
    )
    account = classified_account(TLP_AMBER, "private-person", "x", user_id="1740000000000000001")
    post = create(
        MediaContent,
        marking=TLP_AMBER,
        url="https://x.com/i/web/status/1740000000000000777",
        media_category="repost",
        publication_date="2026-02-27T21:14:00.000Z",
        platform="x",
        author_ref=account.id,
        archive_url="https://archive.example/2026-02-27/1740000000000000777",
    )
    incident = case.sdo(
        FimiIncident,
        "incident",
        TLP_AMBER,
        name="Suspected bot account reposting ballot-fraud claims",
        description="An account reposted the pre-filled-ballots claim 140 times in one night, "
        "always within seconds of the source posts; recorded as a suspected automated "
        "amplifier.",
        extensions={
            EXT_FIMI_INCIDENT: {
                "extension_type": "property-extension",
                "determination": "suspected",
                "investigation_status": "open",
                "fimi_types": ["coordinated-inauthentic-behaviour"],
                "first_seen": "2026-02-27T20:02:00.000Z",
                "last_seen": "2026-02-28T01:40:00.000Z",
                "target_countries": ["JP"],
                "platforms": ["x"],
            }
        },
    )
    link = case.sdo(
        Relationship,
        "incident-post",
        TLP_AMBER,
        relationship_type="related-to",
        source_ref=incident.id,
        target_ref=post.id,
        description="One of the reposts that led to the suspicion.",
    )
    reviewed = new_version(
        incident,
        modified=T10_REVIEW,
        description="On review the account belongs to a private person who reposted by hand, "
        "in good faith, during a televised debate; the timing matched the debate, not a bot.",
        extensions={
            EXT_FIMI_INCIDENT: {
                **incident.to_dict()["extensions"][EXT_FIMI_INCIDENT],
                "determination": "false-positive",
                "investigation_status": "closed",
            }
        },
    )
    withdrawal = withdraw(
        [reviewed, link, post, account],
        by=case.author_id,
        reason="false-positive",
        description="The account belongs to a private person who posted in good faith; it is "
        "not a bot. Stop serving these records and pass this withdrawal on.",
        id=case.oid("withdrawal", "withdrawal"),
        created=T10_WITHDRAW,
    )
    objects: list[StixObject] = [
        tlp_marking_definition(TLP_AMBER),
        tlp_marking_definition(TLP_GREEN),
        office,
        account,
        post,
        incident,
        link,
        reviewed,
        withdrawal,
    ]
    return Bundle.of(case.oid("bundle", "bundle"), objects)


# --- case 11 ---------------------------------------------------------------------------------

T11_OPEN = "2026-11-03T07:00:00.000Z"
T11_FIRST_LOOK = "2026-11-03T09:20:00.000Z"
T11_FORENSICS = "2026-11-05T15:45:00.000Z"


def build_case_11() -> Bundle:
    case = Case("11", "unit", T11_OPEN)
    unit = case.author(
        "Fictional Media Verification Unit",
        "Invented government unit that examines suspect audio and video.",
    )
    minister = case.sdo(
        Identity,
        "minister",
        TLP_GREEN,
        name="Kenji Amamori (fictional finance minister)",
        identity_class="individual",
        description="Invented public figure whose face and voice were imitated.",
    )
    account = classified_account(
        TLP_GREEN, "inauthentic", "tiktok", account_login="amamori.truth.files"
    )
    channel = case.sdo(
        Channel,
        "channel",
        TLP_GREEN,
        name="Amamori Truth Files (TikTok account)",
        channel_types=["social-media-account"],
        platform="tiktok",
        account_refs=[account.id],
        first_seen="2026-10-30T18:00:00.000Z",
    )

    def item(key: str, url: str, category: str, published: str, **hashes: str) -> MediaContent:
        return create(
            MediaContent,
            marking=TLP_GREEN,
            url=url,
            media_category=category,
            publication_date=published,
            platform="tiktok",
            author_ref=account.id,
            language="ja",
            archive_url=f"https://archive.example/2026-11-03/{key}",
            hashes={"SHA-256": fake_digest(f"{key}/sha256", 64), **hashes},
        )

    video = item(
        "video",
        "https://www.tiktok.com/@amamori.truth.files/video/7430000000000000001",
        "video",
        "2026-11-02T20:00:00.000Z",
        PDQ=fake_digest("video/pdq-key-frame", 64),
        **{"TMK-PDQF": fake_tmk("video/tmk")},
    )
    audio = item(
        "audio",
        "https://www.tiktok.com/@amamori.truth.files/video/7430000000000000002",
        "audio",
        "2026-11-02T22:30:00.000Z",
    )
    photo = item(
        "photo",
        "https://www.tiktok.com/@amamori.truth.files/photo/7430000000000000003",
        "image",
        "2026-11-03T06:10:00.000Z",
        PDQ=fake_digest("photo/pdq", 64),
        pHash=fake_digest("photo/phash", 16),
    )
    incident = case.sdo(
        FimiIncident,
        "incident",
        TLP_GREEN,
        name="Deepfake 'confession' of the finance minister before the budget vote",
        description="A new account published a video and an audio clip in which the finance "
        "minister appears to admit hiding pension losses, and a real photograph of him "
        "re-captioned as taken at a secret meeting.",
        extensions={
            EXT_FIMI_INCIDENT: {
                "extension_type": "property-extension",
                "determination": "confirmed",
                "investigation_status": "open",
                "fimi_types": ["disinformation", "impersonation"],
                "first_seen": "2026-11-02T20:00:00.000Z",
                "target_countries": ["JP"],
                "target_languages": ["ja"],
                "platforms": ["tiktok"],
                "synthetic_media": {
                    "present": True,
                    "kinds": ["face-swap", "lip-sync", "voice-clone", "cheapfake"],
                    "detection_methods": ["forensic analysis", "comparison with the source"],
                    "confidence": 90,
                },
            }
        },
    )

    def analysis(key: str, media: MediaContent, when: str, **props: Any) -> Any:
        return analyse_media(
            media,
            marking=TLP_GREEN,
            id=case.oid("synthetic-media-analysis", key),
            created_by_ref=case.author_id,
            created=when,
            modified=when,
            **props,
        )

    video_first = analysis(
        "video",
        video,
        T11_FIRST_LOOK,
        verdict="inconclusive",
        detection_methods=["automated-classifier"],
        confidence=40,
        tools=["Fictional Deepfake Scanner 4.1"],
        description="The classifier scored the video 0.58; re-encoding by the platform "
        "removed most traces. Forensic examination requested.",
    )
    video_confirmed = new_version(
        video_first,
        modified=T11_FORENSICS,
        verdict="synthetic",
        synthetic_media_kinds=["face-swap", "lip-sync"],
        detection_methods=["automated-classifier", "forensic-analysis", "source-comparison"],
        confidence=90,
        depicted_refs=[minister.id],
        description="The face is taken from the minister's budget speech of 2026-10-12; the lip "
        "movements were regenerated to match a new text, and blending artefacts show at the "
        "jaw line in 41 frames.",
    )
    audio_analysis = analysis(
        "audio",
        audio,
        T11_FORENSICS,
        verdict="synthetic",
        synthetic_media_kinds=["voice-clone"],
        detection_methods=["forensic-analysis", "depicted-person-denial"],
        confidence=85,
        depicted=[minister],
        description="Spectral analysis shows the uniform breathing and missing room noise of a "
        "cloned voice; the minister's office states he never said these words.",
    )
    photo_analysis = analysis(
        "photo",
        photo,
        T11_FORENSICS,
        verdict="synthetic",
        synthetic_media_kinds=["cheapfake"],
        detection_methods=["hash-match", "source-comparison"],
        confidence=95,
        depicted=[minister],
        description="The photograph is genuine and unaltered (its PDQ hash matches a news "
        "agency photo of 2025-06-14) but was re-captioned as taken at a secret meeting.",
    )

    def rel(key: str, kind: str, source: StixObject, target: StixObject) -> Any:
        return case.sdo(
            Relationship, key, TLP_GREEN, relationship_type=kind,
            source_ref=source.id, target_ref=target.id,
        )  # fmt: skip

    objects: list[StixObject] = [
        tlp_marking_definition(TLP_GREEN),
        unit,
        minister,
        account,
        channel,
        video,
        audio,
        photo,
        incident,
        video_first,
        video_confirmed,
        audio_analysis,
        photo_analysis,
        rel("uses-channel", "uses", incident, channel),
        *(rel(f"publishes-{m.url[-1]}", "publishes", channel, m) for m in (video, audio, photo)),
    ]
    return Bundle.of(case.oid("bundle", "bundle"), objects)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    for name, bundle in ((CASE_10, build_case_10()), (CASE_11, build_case_11())):
        write_bundle(bundle, out / name)
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
