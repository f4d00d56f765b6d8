"""Readiness surveys: the item bank, waves, anonymous invitations and responses (issue "Engagement", 4).

Anonymity design
----------------
A wave's survey is answered through one-time links, and nothing the portal stores can tell which
invitee gave which answers:

* Each invitation gets a random token (`secrets.token_urlsafe(32)`, 256 bits). The token itself is
  only ever put in the invitation email; the database keeps `Invitation.token_digest` =
  sha256("invitation:" + token), which is enough to recognise the link when it comes back.
* Answers are saved on a Response keyed by `Response.response_key` = sha256("response:" + token): a
  different digest of the same token. Without the token (which we do not keep) neither digest can
  be turned into the other, and no foreign key or other column joins Response or Answer to
  Invitation (tests/engagement/test_anonymity.py checks both).
* A Response records only the organisation (one of the HIT's partner organisations, or "prefer not
  to say"), the role group and the day it was submitted - never the time, which could be matched
  against the moment an invitation was marked used.
* The invitation only learns `used = True` at submission, so the HIT sees counts of sent, reminded
  and used links, never who answered what.
* Because the token is not stored, a reminder cannot repeat the link: it asks the invitee to use
  the one from the original email (their saved answers are behind it). Someone who lost that email
  can be sent a new link (`invitation_reissue`): the old one stops working, and answers saved
  part-way under it are not carried over (nothing joins them to the invitation). Whoever asks for
  it is told the same thing whether or not that person has answered, so it reveals nothing.

The token is 256 random bits, so an unsalted SHA-256 cannot be reversed by guessing; the two
prefixes only make the two digests of one token differ.

Limits. Whoever holds a token can compute both digests, so the token must not be written down
anywhere: the respondent's pages send no Referer and are not cached, and Django's request log
is told not to record their (token-bearing) path; a web server's access log should not either.
The HIT sees how many links were used, so inviting one person alone reveals whether they answered
(not what). Small groups, and groups that would reveal one by subtraction, are hidden when the
results are read (engagement.selectors.surveys).

Every write runs in a transaction. Writes by staff take the acting user and check their
permission; the respondent's writes take the token, which is their only credential.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.concurrency import check_version
from core.mail import absolute_url, send_after_commit
from core.permissions import require as _require
from engagement import permissions
from engagement.enums import Dimension, RoleGroup
from engagement.models import Answer, Instrument, Invitation, Item, Response, Stakeholder, Wave
from engagement.permissions import can_change_items
from engagement.services.releases import enqueue_release
from teams.models import HIT, User

INVITATION_PREFIX = "invitation:"
RESPONSE_PREFIX = "response:"
# One paste of addresses at a time: enough for a HIT's partners, small enough to render the emails
# inside one request.
MAX_INVITATIONS_PER_REQUEST = 500

LIKERT_VALUES = (1, 2, 3, 4, 5)


def _day(day: datetime.date) -> str:
    return date_format(day, "j F Y")


# --- Tokens ------------------------------------------------------------------------------------------


def new_token() -> str:
    """A fresh one-time link token (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What Invitation stores to recognise a link: sha256("invitation:" + token)."""
    return hashlib.sha256(f"{INVITATION_PREFIX}{token}".encode()).hexdigest()


def response_key(token: str) -> str:
    """What Response is keyed by: sha256("response:" + token), a different digest of the same token."""
    return hashlib.sha256(f"{RESPONSE_PREFIX}{token}".encode()).hexdigest()


def survey_path(token: str) -> str:
    return reverse("engagement:survey-respond", kwargs={"token": token})


class SurveyLinkError(Exception):
    """A survey link that cannot be answered; `status` is the HTTP status of the page explaining it."""

    status = 404
    title = "This link is not valid"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail


class LinkNotValid(SurveyLinkError):
    status = 404
    title = "This link is not valid"


class LinkUsed(SurveyLinkError):
    status = 410
    title = "This link has already been used"


class SurveyClosed(SurveyLinkError):
    status = 410

    def __init__(self, title: str, detail: str = "") -> None:
        self.title = title
        super().__init__(detail)


def invitation_for_token(*, token: str, today: datetime.date | None = None, lock: bool = False) -> Invitation:
    """The unused invitation of an open wave behind `token`, or a SurveyLinkError saying why not.

    Forged or unknown -> LinkNotValid (404); already submitted -> LinkUsed (410); before the wave
    opens or after it closes -> SurveyClosed (410). `lock` takes a row lock, so two submissions of
    one link cannot both succeed.
    """
    today = today or timezone.localdate()
    queryset = Invitation.objects.select_related("wave__hit", "wave__instrument")
    if lock:
        # The wave's row too: closing it (wave_close) takes the same lock, so an answer sent at the
        # moment a wave closes is either in before the close or refused after it, never half-way.
        queryset = queryset.select_for_update(of=("self", "wave"))
    # Tokens are 43 characters; anything far longer is not ours and is not worth hashing.
    invitation = queryset.filter(token_digest=token_digest(token)).first() if len(token) <= 200 else None
    if invitation is None:
        raise LinkNotValid(
            "Check that you copied the whole link from the email. If it still does not work, ask the "
            "person who invited you for a new link."
        )
    if invitation.used:
        raise LinkUsed(
            "Each link can be used once, and the answers sent with it have been received. Thank you."
        )
    wave = invitation.wave
    if wave.is_closed(today):
        raise SurveyClosed(
            f"This survey closed on {_day(wave.closed_on())}",
            "Answers can no longer be sent. Thank you for your interest.",
        )
    if today < wave.opens_on:
        raise SurveyClosed(
            f"This survey opens on {_day(wave.opens_on)}",
            "Please come back to this link on or after that day.",
        )
    return invitation


# --- The respondent's side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One page of the respondent's form: one dimension and its items, in position order."""

    dimension: str
    label: str
    items: tuple[Item, ...]


@dataclass
class SurveyState:
    invitation: Invitation
    wave: Wave
    sections: list[Section]
    response: Response | None
    answers: dict[int, int | None] = field(default_factory=dict)  # item id -> value (None: don't know)
    organisations: list[tuple[int, str]] = field(default_factory=list)

    def first_unanswered_section(self) -> int:
        """1-based number of the first section with an unanswered item (the page to resume on)."""
        for number, section in enumerate(self.sections, start=1):
            if any(item.pk not in self.answers for item in section.items):
                return number
        return len(self.sections) + 1


def instrument_sections(instrument_id: int) -> list[Section]:
    order = list(Dimension.values)
    by_dimension: dict[str, list[Item]] = {}
    for item in Item.objects.filter(instrument_id=instrument_id).order_by("position", "pk"):
        by_dimension.setdefault(item.dimension, []).append(item)
    return [
        Section(dimension=d, label=Dimension(d).label, items=tuple(by_dimension[d]))
        for d in sorted(by_dimension, key=order.index)
    ]


def partner_organisations(*, hit_id: int, today: datetime.date | None = None) -> list[tuple[int, str]]:
    """The organisations a respondent may say they belong to: those on the HIT's stakeholder map
    (rows not ended), by name."""
    today = today or timezone.localdate()
    rows = (
        Stakeholder.objects.filter(hit_id=hit_id, organisation__isnull=False)
        .exclude(end_date__lt=today)
        .values_list("organisation_id", "organisation__name")
        .distinct()
        .order_by("organisation__name")
    )
    return list(rows)


def survey_state(*, token: str) -> SurveyState:
    """Everything the respondent's form needs, read through the token (SurveyLinkError if unusable)."""
    invitation = invitation_for_token(token=token)
    wave = invitation.wave
    response = Response.objects.filter(response_key=response_key(token), wave=wave).first()
    answers = dict(response.answers.values_list("item_id", "value")) if response is not None else {}
    return SurveyState(
        invitation=invitation,
        wave=wave,
        sections=instrument_sections(wave.instrument_id),
        response=response,
        answers=answers,
        organisations=partner_organisations(hit_id=wave.hit_id),
    )


@dataclass(frozen=True)
class AboutYou:
    """The last page: an organisation id (None: prefer not to say) and a role group ("": prefer not)."""

    organisation_id: int | None = None
    role_group: str = ""


def _clean_answers(wave: Wave, answers: Mapping[int, int | None]) -> dict[int, int | None]:
    if not answers:
        return {}
    item_ids = set(Item.objects.filter(instrument_id=wave.instrument_id).values_list("pk", flat=True))
    cleaned: dict[int, int | None] = {}
    for item_id, value in answers.items():
        if item_id not in item_ids:
            raise ValidationError("One of the answers is for a statement that is not in this survey.")
        if value is not None and (isinstance(value, bool) or value not in LIKERT_VALUES):
            raise ValidationError(
                "One of the answers is not on the scale. Choose from strongly disagree to strongly agree, "
                "or don't know."
            )
        cleaned[item_id] = value
    return cleaned


def _clean_about(wave: Wave, about: AboutYou) -> AboutYou:
    if about.role_group and about.role_group not in RoleGroup.values:
        raise ValidationError({"role_group": "Choose one of the role groups listed, or prefer not to say."})
    if about.organisation_id is not None:
        partners = {pk for pk, _name in partner_organisations(hit_id=wave.hit_id)}
        if about.organisation_id not in partners:
            raise ValidationError(
                {"organisation": "Choose one of the organisations listed, or prefer not to say."}
            )
    return about


def _save(
    token: str, invitation: Invitation, answers: dict[int, int | None], about: AboutYou | None
) -> Response:
    wave = invitation.wave
    response, _created = Response.objects.get_or_create(
        response_key=response_key(token), defaults={"wave": wave}
    )
    if response.wave_id != wave.pk or response.is_submitted:
        raise LinkUsed()
    if answers:
        Answer.objects.bulk_create(
            [Answer(response=response, item_id=item_id, value=value) for item_id, value in answers.items()],
            update_conflicts=True,
            unique_fields=["response", "item"],
            update_fields=["value"],
        )
    if about is not None:
        response.organisation_id = about.organisation_id
        response.role_group = about.role_group
        response.save(update_fields=["organisation", "role_group"])
    return response


@transaction.atomic
def response_save(
    *, token: str, answers: Mapping[int, int | None], about: AboutYou | None = None
) -> Response:
    """Save answers part-way (Previous, Next, "Save and finish later"); the same link resumes them.

    `answers` maps item ids to 1-5 or None ("don't know"). Anything off the scale, or for an item
    outside the wave's instrument, raises ValidationError and nothing is stored.
    Side effects: the Response keyed by response_key(token) created if new; its Answer rows
    upserted; organisation and role group stored when `about` is given. No recompute: only
    submitted responses count.
    """
    invitation = invitation_for_token(token=token, lock=True)
    cleaned = _clean_answers(invitation.wave, answers)
    about = _clean_about(invitation.wave, about) if about is not None else None
    return _save(token, invitation, cleaned, about)


@transaction.atomic
def response_submit(
    *, token: str, about: AboutYou, answers: Mapping[int, int | None] | None = None
) -> Response:
    """Send the response: one submission per link.

    Refused (nothing stored) for an unusable link (SurveyLinkError: a closed wave included), an
    organisation or role group not offered, an answer off the scale, or a response with no answer.
    Side effects, in order: the last answers and about-you saved; the Response marked submitted
    with today's date (no time); the invitation marked used. Nothing is computed: the wave's
    results are computed once, when it closes (engagement.services.readiness_release).
    """
    invitation = invitation_for_token(token=token, lock=True)
    wave = invitation.wave
    cleaned = _clean_answers(wave, answers or {})
    about = _clean_about(wave, about)
    response = _save(token, invitation, cleaned, about)
    if not response.answers.exists():
        raise ValidationError("You have not answered any statement yet. Go back and answer at least one.")
    response.is_submitted = True
    response.submitted_on = timezone.localdate()
    response.save(update_fields=["is_submitted", "submitted_on"])
    invitation.used = True
    invitation.save(update_fields=["used"])
    return response


# --- Item bank ---------------------------------------------------------------------------------------


@transaction.atomic
def instrument_new_version(*, actor: User, instrument_id: int) -> Instrument:
    """Start version N+1 of an item bank as an unpublished copy of its latest version N.

    Refused while the latest version is still a draft (change that one instead).
    Side effects: a new Instrument row and a copy of every item.
    """
    _require(permissions.can_manage_instruments(actor))
    name = Instrument.objects.values_list("name", flat=True).get(pk=instrument_id)
    # Never None: the instrument just read by its pk has this name, so the filter finds at least it.
    latest = cast(
        Instrument, Instrument.objects.select_for_update().filter(name=name).order_by("-version").first()
    )
    if not latest.is_published:
        raise ValidationError(
            f"Version {latest.version} is still a draft: change or publish it before starting another."
        )
    try:
        with transaction.atomic():
            new = Instrument.objects.create(
                name=latest.name,
                version=latest.version + 1,
                is_published=False,
                notes=f"Copied from version {latest.version}.",
            )
    except IntegrityError:
        raise ValidationError(
            f"Someone else has just started version {latest.version + 1}; open it from the list."
        ) from None
    Item.objects.bulk_create(
        [
            Item(
                instrument=new,
                code=item.code,
                dimension=item.dimension,
                text=item.text,
                reverse_worded=item.reverse_worded,
                position=item.position,
            )
            for item in latest.items.order_by("position", "pk")
        ]
    )
    return new


def _draft_for_update(actor: User, instrument_id: int) -> Instrument:
    _require(permissions.can_manage_instruments(actor))
    instrument = Instrument.objects.select_for_update().get(pk=instrument_id)
    _require(can_change_items(instrument))
    return instrument


@transaction.atomic
def item_save(*, actor: User, item: Item, expected_version: str | None = None) -> Item:
    """Add or change an item of an unpublished version (PermissionDenied on a published one).

    Side effect: the Item row, validated (codes are unique within a version). A change is refused
    with StaleEdit (nothing saved) when the item is no longer at `expected_version`, the version
    its editor's form started from (a digest of its values: items have no updated_at).
    """
    _draft_for_update(actor, item.instrument_id)
    if item.pk is not None:
        check_version(Item.objects.select_for_update().get(pk=item.pk), expected_version)
    item.full_clean()
    if item.pk is None:
        item.save()  # type: ignore[unreachable]  # the stubs type pk int; a new item's is None
    else:
        item.save(update_fields=["code", "dimension", "text", "reverse_worded", "position"])
    return item


@transaction.atomic
def item_delete(*, actor: User, item_id: int) -> None:
    """Remove an item from an unpublished version. Side effect: the Item row deleted."""
    item = Item.objects.get(pk=item_id)
    _draft_for_update(actor, item.instrument_id)
    item.delete()


@transaction.atomic
def instrument_publish(*, actor: User, instrument_id: int) -> Instrument:
    """Publish a draft version, freezing its items; waves may then use it.

    Side effect: is_published set. Refused for a version already published or without items.
    """
    _require(permissions.can_manage_instruments(actor))
    instrument = Instrument.objects.select_for_update().get(pk=instrument_id)
    if instrument.is_published:
        raise ValidationError(f"Version {instrument.version} is already published.")
    if not instrument.items.exists():
        raise ValidationError("Add at least one item before publishing.")
    instrument.is_published = True
    instrument.save(update_fields=["is_published", "updated_at"])
    return instrument


# --- Waves and invitations ---------------------------------------------------------------------------


@transaction.atomic
def wave_create(
    *,
    actor: User,
    hit_id: int,
    title: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    instrument_id: int,
) -> Wave:
    """Plan a survey wave of a HIT with a published item bank.

    Refused: a draft instrument; a closing date before the opening date or in the past.
    Side effect: the Wave row.
    """
    hit = HIT.objects.get(pk=hit_id)
    _require(permissions.can_edit_engagement(actor, hit))
    errors: dict[str, str] = {}
    if not Instrument.objects.filter(pk=instrument_id, is_published=True).exists():
        errors["instrument"] = "Choose a published version of the item bank."
    if closes_on < opens_on:
        errors["closes_on"] = "The closing date cannot be before the opening date."
    elif closes_on < timezone.localdate():
        errors["closes_on"] = "The closing date cannot be in the past."
    if errors:
        raise ValidationError(errors)
    wave = Wave(
        hit=hit,
        instrument_id=instrument_id,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    wave.full_clean()
    wave.save()
    return wave


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """(valid addresses, lower-cased and without repeats, in order; invalid entries as typed)."""
    valid: list[str] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for raw in text.replace(";", ",").replace("\n", ",").split(","):
        entry = raw.strip()
        if not entry:
            continue
        address = entry.lower()
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(entry)
            continue
        if address not in seen:
            seen.add(address)
            valid.append(address)
    return valid, invalid


@dataclass(frozen=True)
class InviteOutcome:
    invited: list[str]
    already_invited: list[str]


def _wave_for_update(actor: User, wave_id: int) -> Wave:
    wave = Wave.objects.select_for_update(of=("self",)).select_related("hit", "instrument").get(pk=wave_id)
    _require(permissions.can_edit_engagement(actor, wave.hit))
    return wave


@transaction.atomic
def wave_invite(*, actor: User, wave_id: int, addresses: Iterable[str], link_base: str = "") -> InviteOutcome:
    """Invite people to a wave: one one-time link each, emailed after commit.

    `addresses` must already be valid (see parse_addresses); people already invited are skipped.
    Links are absolute, on the configured BASE_URL unless `link_base` ("https://portal.example") says otherwise.
    Side effects: one Invitation per new address (the token's digest only, sent_at now); one
    invitation email per new address after commit. Refused once the wave has closed.
    """
    wave = _wave_for_update(actor, wave_id)
    if wave.is_closed():
        raise ValidationError(
            {"addresses": f"This survey closed on {_day(wave.closed_on())}; no one can join it now."}
        )
    wanted = list(dict.fromkeys(a.strip().lower() for a in addresses if a.strip()))
    if len(wanted) > MAX_INVITATIONS_PER_REQUEST:
        raise ValidationError(
            {"addresses": f"Invite at most {MAX_INVITATIONS_PER_REQUEST} people at a time."}
        )
    existing = set(Invitation.objects.filter(wave=wave, email__in=wanted).values_list("email", flat=True))
    now = timezone.now()
    new: list[tuple[Invitation, str]] = []
    for address in wanted:
        if address in existing:
            continue
        token = new_token()
        new.append(
            (Invitation(wave=wave, email=address, token_digest=token_digest(token), sent_at=now), token)
        )
    try:
        with transaction.atomic():
            Invitation.objects.bulk_create([invitation for invitation, _token in new])
    except IntegrityError:
        raise ValidationError(
            {"addresses": "Someone else invited some of these people at the same moment. Please try again."}
        ) from None
    statements = Item.objects.filter(instrument_id=wave.instrument_id).count() if new else 0
    for invitation, token in new:
        _send_invitation(
            actor=actor,
            wave=wave,
            email=invitation.email,
            token=token,
            link_base=link_base,
            statements=statements,
        )
    return InviteOutcome(
        invited=[invitation.email for invitation, _token in new],
        already_invited=[a for a in wanted if a in existing],
    )


def _send_invitation(
    *,
    actor: User,
    wave: Wave,
    email: str,
    token: str,
    link_base: str,
    statements: int,
    reissued: bool = False,
) -> None:
    """One invitation email with the one-time link, after commit (the token goes nowhere else)."""
    path = survey_path(token)
    send_after_commit(
        template="engagement/survey_invitation",
        recipients=[email],
        context={
            "wave": wave,
            "hit": wave.hit,
            "link": f"{link_base.rstrip('/')}{path}" if link_base else absolute_url(path),
            "sender": str(actor) if getattr(actor, "is_authenticated", False) else "",
            "statements": statements,
            "reissued": reissued,
        },
    )


REISSUE_MESSAGE = (
    "If {email} was invited to this survey and has not sent answers yet, a new link is on its way to "
    "them; the link they had before no longer works."
)


@transaction.atomic
def invitation_reissue(*, actor: User, wave_id: int, email: str, link_base: str = "") -> str:
    """Send a new one-time link to an invitee who lost theirs. Returns the message for the sender.

    The message is the same whether the address was invited and unused, already used, or never
    invited: the HIT must not learn who has answered. Refused (ValidationError) once the wave closed.
    Side effects, only for an unused invitation: its token digest replaced (the old link stops
    working) and sent_at set to now; one invitation email with the new link after commit.
    """
    wave = _wave_for_update(actor, wave_id)
    if wave.is_closed():
        raise ValidationError(
            {"email": f"This survey closed on {_day(wave.closed_on())}; no new link can be sent."}
        )
    address = email.strip().lower()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(wave=wave, email=address, used=False)
        .first()
    )
    if invitation is not None:
        token = new_token()
        invitation.token_digest = token_digest(token)
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["token_digest", "sent_at"])
        _send_invitation(
            actor=actor,
            wave=wave,
            email=invitation.email,
            token=token,
            link_base=link_base,
            statements=Item.objects.filter(instrument_id=wave.instrument_id).count(),
            reissued=True,
        )
    return REISSUE_MESSAGE.format(email=address)


@transaction.atomic
def wave_remind(*, actor: User, wave_id: int) -> int:
    """Remind everyone whose link is still unused, once per call. Returns how many were reminded.

    The reminder cannot repeat the link (its token is not stored; see the module docstring), so it
    points to the original email. Refused outside the wave's open dates.
    Side effects: reminded_at set on every unused invitation; one reminder email each after commit.
    """
    wave = _wave_for_update(actor, wave_id)
    today = timezone.localdate()
    if wave.is_closed(today):
        raise ValidationError(
            f"This survey closed on {_day(wave.closed_on())}, so there is no one to remind."
        )
    if today < wave.opens_on:
        raise ValidationError(f"This survey opens on {_day(wave.opens_on)}; send reminders after that.")
    pending = Invitation.objects.filter(wave=wave, used=False)
    addresses = list(pending.values_list("email", flat=True))
    if not addresses:
        return 0
    pending.update(reminded_at=timezone.now())
    send_after_commit(
        template="engagement/survey_reminder",
        recipients=addresses,
        context={"wave": wave, "hit": wave.hit, "sender": str(actor)},
    )
    return len(addresses)


@transaction.atomic
def wave_close(*, actor: User, wave_id: int) -> Wave:
    """Close a wave before its closing date: from now on every answer is refused, and the worker
    computes its results once (they are released when it has).

    Only the HIT's director or co-director, or a programme manager (permissions.can_close_wave).
    Refused once closed (by this or by its date) and before it opens (nothing to close: change its
    dates instead). Side effects, in order: the wave locked (answers being sent wait for it);
    closed_at (now) and closed_by set; the release of its results queued after commit.
    """
    wave = Wave.objects.select_for_update(of=("self",)).select_related("hit").get(pk=wave_id)
    _require(permissions.can_close_wave(actor, wave.hit))
    today = timezone.localdate()
    if wave.is_closed(today):
        raise ValidationError(f"This survey already closed on {_day(wave.closed_on())}.")
    if today < wave.opens_on:
        raise ValidationError(
            f"This survey opens on {_day(wave.opens_on)}, so there is nothing to close yet."
        )
    wave.closed_at = timezone.now()
    wave.closed_by = actor
    wave.save(update_fields=["closed_at", "closed_by", "updated_at"])
    enqueue_release(wave_id=wave.pk)
    return wave
