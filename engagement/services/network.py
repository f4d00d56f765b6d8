"""The partnership network (docs/domain.md section 8): rounds, their respondents and ratings, and the
stored metrics the worker computes (NetworkResult).

A round, one HIT at a time (engagement.workflow.NETWORK_ROUND_WORKFLOW):

* `network_round_create` plans it: one NetworkRespondent per partner organisation on the HIT's map
  (rows not ended), its stakeholder category copied so the round's network stays as it was planned;
* `network_respondent_set` names each organisation's contact (a name and an email);
* `network_round_open` sends each named contact a one-time link (only the token's digest is kept,
  as for survey waves; the link goes nowhere but the email, and never into a log: core.logging);
* the contact rates every other partner of the round (`network_submit`), once; the ratings are
  taken up to the closing date;
* `network_round_remind` reminds the contacts who have not answered; `network_round_close` (the
  director or a programme manager) or the closing date (`network_close_due`, by the worker) close
  it; `network_round_cancel` drops it. Each move is recorded as a NetworkRoundEvent (audit log).

Respondents are named contacts of organisations, not anonymous people: the round knows which
organisation answered. What stays private is what one organisation said about another: pages show
ratings about an organisation only as averages of >= 3 raters, and the stored metrics; the single
ratings reach programme managers' aggregate export of ties alone (engagement.permissions).

Metrics (`network_compute`): computed by the worker when a round closes and nightly, for every
closed round and for each HIT's co-membership network (two organisations tied when their people
share a HIT group: the management group or a working group), which pages show, labelled as such,
when the HIT has no closed round. Each result keeps its inputs' fingerprint and computed_at; a
result whose inputs have not changed is left as it is, so recomputing is idempotent and cheap.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.concurrency import check_version
from core.mail import absolute_url, send_after_commit
from core.permissions import require
from core.tasks import enqueue_after_commit
from core.workflow import Move, Rule, perform, record_event
from engagement import permissions
from engagement.domain import network as domain
from engagement.enums import NetworkRoundStatus, NetworkSource
from engagement.models import (
    NetworkRating,
    NetworkRespondent,
    NetworkResult,
    NetworkRound,
    Stakeholder,
)
from engagement.workflow import NETWORK_ROUND_WORKFLOW
from teams.enums import MembershipRole
from teams.models import HIT, Membership, User

logger = logging.getLogger(__name__)

DIGEST_PREFIX = "network:"
# The management group: the roles that sit on it (docs/domain.md section 1).
MANAGEMENT_ROLES = (
    MembershipRole.DIRECTOR,
    MembershipRole.CO_DIRECTOR,
    MembershipRole.EXECUTIVE_SPONSOR,
    MembershipRole.MANAGEMENT_GROUP,
)
MIN_ORGANISATIONS = 2
# HITs computed per transaction by the nightly run (network_compute).
CHUNK_HITS = 200


def _day(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def token_digest(token: str) -> str:
    """What NetworkRespondent stores to recognise its link: sha256("network:" + token)."""
    return hashlib.sha256(f"{DIGEST_PREFIX}{token}".encode()).hexdigest()


def network_survey_path(token: str) -> str:
    return reverse("engagement:network-respond", kwargs={"token": token})


# --- Planning a round --------------------------------------------------------------------------------


def partner_categories(hit_id: int, today: datetime.date | None = None) -> dict[int, int]:
    """Organisation id -> stakeholder category id of the HIT's partners on its map (rows not ended).
    An organisation with several rows takes the category of its organisation row (no person) if it
    has one, else the first by category order."""
    today = today or timezone.localdate()
    rows = (
        Stakeholder.objects.filter(hit_id=hit_id, organisation__isnull=False, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("organisation_id", "category__position", "pk")
        .values_list("organisation_id", "category_id", "person_id")
    )
    chosen: dict[int, int] = {}
    own_row: set[int] = set()
    for organisation_id, category_id, person_id in rows:
        _pick_category(chosen, own_row, organisation_id, category_id, person_id)
    return chosen


def _pick_category(
    chosen: dict[int, int], own_row: set[int], organisation_id: int, category_id: int, person_id: int | None
) -> None:
    """Rows come in category order: the first row wins, unless a later one is the organisation's own
    row (no person), which wins over rows of its people."""
    if organisation_id not in chosen or (person_id is None and organisation_id not in own_row):
        chosen[organisation_id] = category_id
    if person_id is None:
        own_row.add(organisation_id)


@transaction.atomic
def network_round_create(*, actor: User, hit_id: int, title: str, closes_on: datetime.date) -> NetworkRound:
    """Plan a network round of a HIT: one respondent row per partner organisation on its map.

    Refused: fewer than two partner organisations on the map; a closing date in the past; another
    round of the HIT still planned or open. Side effects: the NetworkRound (planned) and its
    NetworkRespondent rows (no contact yet); a "created" event.
    """
    hit = HIT.objects.select_for_update().get(pk=hit_id)
    require(permissions.can_manage_network_rounds(actor, hit))
    errors: dict[str, str] = {}
    partners = partner_categories(hit.pk)
    if len(partners) < MIN_ORGANISATIONS:
        errors["__all__"] = (
            "A network round needs at least two partner organisations on the stakeholder map; "
            "add them there first."
        )
    if closes_on < timezone.localdate():
        errors["closes_on"] = "The closing date cannot be in the past."
    if NetworkRound.objects.filter(
        hit=hit, status__in=[NetworkRoundStatus.PLANNED, NetworkRoundStatus.OPEN]
    ).exists():
        errors["__all__"] = "This HIT already has a network round planned or open: close or cancel it first."
    if errors:
        raise ValidationError(errors)
    network_round = NetworkRound(
        hit=hit,
        title=title.strip(),
        closes_on=closes_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    network_round.full_clean()
    try:
        with transaction.atomic():
            network_round.save()
    except IntegrityError:
        raise ValidationError("Someone else has just planned a network round for this HIT.") from None
    NetworkRespondent.objects.bulk_create(
        [
            NetworkRespondent(network_round=network_round, organisation_id=org, category_id=category)
            for org, category in sorted(partners.items())
        ]
    )
    record_event(network_round.events, actor=actor, action="create", from_status="", to_status="planned")
    return network_round


def _round_for_update(round_id: int) -> NetworkRound:
    return NetworkRound.objects.select_for_update(of=("self",)).select_related("hit").get(pk=round_id)


def _issue_link(
    respondent: NetworkRespondent, network_round: NetworkRound, actor: User | None, link_base: str
) -> None:
    token = secrets.token_urlsafe(32)
    respondent.token_digest = token_digest(token)
    respondent.sent_at = timezone.now()
    respondent.save(update_fields=["token_digest", "sent_at"])
    path = network_survey_path(token)
    send_after_commit(
        template="engagement/network_invitation",
        recipients=[respondent.email],
        context={
            "round": network_round,
            "hit": network_round.hit,
            "organisation": respondent.organisation.name,
            "contact_name": respondent.contact_name,
            "link": f"{link_base.rstrip('/')}{path}" if link_base else absolute_url(path),
            "sender": str(actor) if getattr(actor, "is_authenticated", False) else "",
        },
    )


@transaction.atomic
def network_respondent_set(
    *,
    actor: User,
    respondent_id: int,
    contact_name: str,
    email: str,
    link_base: str = "",
    expected_version: str | None = None,
) -> NetworkRespondent:
    """Name the contact who answers for an organisation. In an open round, a new link is sent to
    them at once (a link sent before stops working).

    Refused: a closed or cancelled round; an organisation that has already answered; an invalid email;
    StaleEdit when `expected_version` (core.concurrency, the contact as the editor's page showed it)
    is no longer the stored one: someone else saved a contact in between.
    Side effects: contact_name and email; in an open round a new token digest and the invitation
    email after commit.
    """
    round_id = NetworkRespondent.objects.values_list("network_round_id", flat=True).get(pk=respondent_id)
    network_round = _round_for_update(round_id)
    # Read under the round's lock, which every change to its contacts takes first.
    respondent = NetworkRespondent.objects.select_related("organisation").get(pk=respondent_id)
    require(permissions.can_manage_network_rounds(actor, network_round.hit))
    if network_round.status not in (NetworkRoundStatus.PLANNED, NetworkRoundStatus.OPEN):
        raise ValidationError(
            f"This round is {network_round.get_status_display().lower()}; its contacts are final."
        )
    if respondent.submitted_at is not None:
        raise ValidationError(f"{respondent.organisation.name} has already answered.")
    check_version(respondent, expected_version)
    address = email.strip().lower()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"email": "Enter a valid email address."}) from None
    respondent.contact_name = contact_name.strip()
    respondent.email = address
    respondent.full_clean(exclude=["network_round", "organisation", "category"])
    respondent.save(update_fields=["contact_name", "email"])
    if network_round.status == NetworkRoundStatus.OPEN and address:
        _issue_link(respondent, network_round, actor, link_base)
    return respondent


# mypy checks a base class's type arguments before the django plugin has typed NetworkRound.status
# (as teams.services.hits.HITMove).
@dataclass
class RoundMove(Move[NetworkRound]):  # type: ignore[type-var]
    link_base: str = ""
    today: datetime.date | None = None
    sent: int = 0


def _guard_open(move: RoundMove) -> None:
    network_round = move.obj
    today = move.today or timezone.localdate()
    named = network_round.respondents.exclude(email="").count()
    errors = []
    if named < MIN_ORGANISATIONS:
        errors.append("Name a contact with an email for at least two organisations before opening the round.")
    if network_round.closes_on < today:
        errors.append(f"Its closing date, {_day(network_round.closes_on)}, has passed: choose a later one.")
    if errors:
        raise ValidationError(errors)


def _effect_open(move: RoundMove) -> None:
    network_round = move.obj
    move.set(opens_on=move.today or timezone.localdate())
    actor = move.actor if isinstance(move.actor, User) else None
    for respondent in network_round.respondents.exclude(email="").select_related("organisation"):
        _issue_link(respondent, network_round, actor, move.link_base)
        move.sent += 1


def _effect_remind(move: RoundMove) -> None:
    network_round = move.obj
    pending = network_round.respondents.filter(submitted_at__isnull=True, sent_at__isnull=False)
    addresses = list(pending.values_list("email", flat=True))
    if not addresses:
        raise ValidationError("Every organisation with a link has answered: there is no one to remind.")
    pending.update(reminded_at=timezone.now())
    move.sent = len(addresses)
    send_after_commit(
        template="engagement/network_reminder",
        recipients=addresses,
        context={"round": network_round, "hit": network_round.hit, "sender": str(move.actor or "")},
    )


def _guard_remind(move: RoundMove) -> None:
    if move.obj.closes_on < (move.today or timezone.localdate()):
        raise ValidationError(
            f"This round's closing date, {_day(move.obj.closes_on)}, has passed: it is closing, not reminding."
        )


def _effect_close(move: RoundMove) -> None:
    move.set(closed_at=timezone.now())
    enqueue_network_compute(round_ids=[move.obj.pk])


def _guard_cancel(move: RoundMove) -> None:
    if not move.comment:
        raise ValidationError({"reason": "Say why the round is cancelled."})


NETWORK_ROUND_RULES: dict[str, Rule[RoundMove]] = {
    "open": Rule(guard=_guard_open, effect=_effect_open),
    "remind": Rule(guard=_guard_remind, effect=_effect_remind),
    "close": Rule(effect=_effect_close),
    "cancel": Rule(guard=_guard_cancel),
}


@transaction.atomic
def network_round_transition(
    *,
    actor: User | None,
    round_id: int,
    action: str,
    reason: str = "",
    expected_status: str | None = None,
    link_base: str = "",
    check_permission: bool = True,
) -> RoundMove:
    """Move a round along its lifecycle (engagement.workflow.NETWORK_ROUND_WORKFLOW).

    open: the round's members or a programme manager; needs two named contacts and a closing date
    not passed; sends every named contact a one-time link (after commit) and sets opens_on.
    remind: the same people; emails the contacts who have a link and have not answered.
    close: the director, co-director or a programme manager; ratings are refused from then on and
    the worker computes the round's metrics after commit. cancel: the same, with a reason.

    Raises InvalidTransition (a move the status does not allow), StaleState (the round moved since
    `expected_status` was read), PermissionDenied or ValidationError; nothing changes then.
    Side effects: the round's fields and one NetworkRoundEvent (actor, action, from, to, reason).
    `check_permission=False` is for the worker closing a round whose date has passed (actor None).
    """
    network_round = _round_for_update(round_id)
    # Who may act first: someone who may not make the move learns that, not the round's status.
    if check_permission:
        if actor is None:
            raise ValueError("A move checked for permission needs an actor.")
        if action in ("close", "cancel"):
            require(permissions.can_close_network_round(actor, network_round.hit))
        else:
            require(permissions.can_manage_network_rounds(actor, network_round.hit))
    NETWORK_ROUND_WORKFLOW.check_unchanged(
        network_round.status, expected_status, network_round.events.select_related("actor").first
    )
    transition = NETWORK_ROUND_WORKFLOW.get(action, network_round.status)
    move = RoundMove(network_round, transition, actor=actor, comment=reason.strip(), link_base=link_base)
    perform(move, NETWORK_ROUND_RULES[action], events=network_round.events)
    return move


def network_close_due(*, today: datetime.date | None = None) -> list[int]:
    """Close every open round whose closing date has passed (the worker, no actor). Returns their ids."""
    today = today or timezone.localdate()
    due = list(
        NetworkRound.objects.filter(status=NetworkRoundStatus.OPEN, closes_on__lt=today).values_list(
            "pk", flat=True
        )
    )
    closed = []
    for round_id in due:
        try:
            network_round_transition(
                actor=None,
                round_id=round_id,
                action="close",
                reason="Its closing date passed.",
                expected_status=NetworkRoundStatus.OPEN,
                check_permission=False,
            )
        except Exception:  # another close won the race, or the row is bad: the others carry on
            logger.exception("Network round %s could not be closed by its date.", round_id)
            continue
        closed.append(round_id)
    return closed


# --- The respondent's side ---------------------------------------------------------------------------


class NetworkLinkError(Exception):
    """A network link that cannot be answered; `status` is the HTTP status of the page explaining it."""

    status = 404

    def __init__(self, title: str, detail: str = "", status: int = 404) -> None:
        super().__init__(title)
        self.title = title
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class NetworkFormState:
    respondent: NetworkRespondent
    network_round: NetworkRound
    partners: list[tuple[int, str]]  # the other organisations of the round, by name


def respondent_for_token(*, token: str, lock: bool = False) -> NetworkRespondent:
    """The respondent behind `token` in a round that takes ratings, or NetworkLinkError saying why not."""
    queryset = NetworkRespondent.objects.select_related("network_round__hit", "organisation")
    if lock:
        queryset = queryset.select_for_update(of=("self", "network_round"))
    respondent = queryset.filter(token_digest=token_digest(token)).first() if len(token) <= 200 else None
    if respondent is None:
        raise NetworkLinkError(
            "This link is not valid",
            "Check that you copied the whole link from the email, or ask the HIT for a new one.",
        )
    if respondent.submitted_at is not None:
        raise NetworkLinkError(
            "This link has already been used",
            f"The ratings for {respondent.organisation.name} have been received. Thank you.",
            status=410,
        )
    network_round = respondent.network_round
    if not network_round.takes_ratings():
        raise NetworkLinkError(
            "This network round has closed",
            "Ratings can no longer be sent. Thank you for your interest.",
            status=410,
        )
    return respondent


def network_form_state(*, token: str) -> NetworkFormState:
    respondent = respondent_for_token(token=token)
    partners = list(
        NetworkRespondent.objects.filter(network_round_id=respondent.network_round_id)
        .exclude(pk=respondent.pk)
        .order_by("organisation__name")
        .values_list("organisation_id", "organisation__name")
    )
    return NetworkFormState(respondent=respondent, network_round=respondent.network_round, partners=partners)


@dataclass(frozen=True)
class PartnerRating:
    level: int
    trust: int | None = None
    value: int | None = None


@transaction.atomic
def network_submit(*, token: str, ratings: Mapping[int, PartnerRating]) -> NetworkRespondent:
    """Send an organisation's ratings of every other partner of the round, once.

    Refused (nothing stored): an unusable link (NetworkLinkError: used, closed, unknown); a partner
    left unrated or one not in the round; a level off the 0-5 scale; trust or value off 1-4, or
    given for a partner rated 0 (no tie).
    Side effects: one NetworkRating per partner; the respondent's submitted_at.
    """
    respondent = respondent_for_token(token=token, lock=True)
    partner_ids = set(
        NetworkRespondent.objects.filter(network_round_id=respondent.network_round_id)
        .exclude(pk=respondent.pk)
        .values_list("organisation_id", flat=True)
    )
    errors: dict[str, list[str]] = {}
    if set(ratings) - partner_ids:
        errors["__all__"] = ["One of the ratings is about an organisation that is not in this round."]
    for missing in sorted(partner_ids - set(ratings)):
        errors.setdefault(f"level_{missing}", []).append("Choose a level for this partner (0 if none).")
    for ratee, rating in ratings.items():
        problems = domain.validate_rating(
            domain.Rating(respondent.organisation_id, ratee, rating.level, rating.trust, rating.value)
        )
        if problems:
            errors.setdefault(f"level_{ratee}", []).extend(problems)
    if errors:
        raise ValidationError(errors)
    NetworkRating.objects.bulk_create(
        [
            NetworkRating(
                network_round_id=respondent.network_round_id,
                rater_id=respondent.organisation_id,
                ratee_id=ratee,
                level=rating.level,
                trust=rating.trust,
                value=rating.value,
            )
            for ratee, rating in sorted(ratings.items())
        ]
    )
    respondent.submitted_at = timezone.now()
    respondent.save(update_fields=["submitted_at"])
    return respondent


# --- Stored metrics ----------------------------------------------------------------------------------


def enqueue_network_compute(
    *, round_ids: Iterable[int] | None = None, hit_ids: Iterable[int] | None = None
) -> None:
    """Ask the worker to compute networks once the current transaction commits. If the broker refuses,
    the nightly recompute catches up."""
    from engagement import tasks  # engagement.tasks imports this module

    enqueue_after_commit(
        tasks.compute_networks,
        {
            "round_ids": list(round_ids) if round_ids is not None else None,
            "hit_ids": list(hit_ids) if hit_ids is not None else None,
        },
    )


@dataclass(frozen=True)
class NetworkInputs:
    hit_id: int
    network_round_id: int | None
    as_of: datetime.date
    nodes: list[domain.Node]
    ratings: list[domain.Rating]
    respondents: list[int]
    ties: list[domain.Tie] | None


def _category_codes() -> dict[int, str]:
    from teams.models import StakeholderCategory

    return dict(StakeholderCategory.objects.values_list("pk", "code"))


def _round_inputs(round_ids: list[int]) -> list[NetworkInputs]:
    codes = _category_codes()
    rounds = {
        pk: (hit_id, closed_at, closes_on)
        for pk, hit_id, closed_at, closes_on in NetworkRound.objects.filter(pk__in=round_ids).values_list(
            "pk", "hit_id", "closed_at", "closes_on"
        )
    }
    nodes: dict[int, list[domain.Node]] = defaultdict(list)
    answered: dict[int, list[int]] = defaultdict(list)
    for round_id, org_id, name, category_id, submitted in (
        NetworkRespondent.objects.filter(network_round_id__in=round_ids)
        .order_by("network_round_id", "organisation_id")
        .values_list(
            "network_round_id", "organisation_id", "organisation__name", "category_id", "submitted_at"
        )
    ):
        nodes[round_id].append(domain.Node(org_id, name, codes.get(category_id, "")))
        if submitted is not None:
            answered[round_id].append(org_id)
    ratings: dict[int, list[domain.Rating]] = defaultdict(list)
    for round_id, rater, ratee, level, trust, value in (
        NetworkRating.objects.filter(network_round_id__in=round_ids)
        .order_by("network_round_id", "rater_id", "ratee_id")
        .values_list("network_round_id", "rater_id", "ratee_id", "level", "trust", "value")
    ):
        ratings[round_id].append(domain.Rating(rater, ratee, level, trust, value))
    found = []
    for pk, (hit_id, closed_at, closes_on) in sorted(rounds.items()):
        as_of = min(timezone.localtime(closed_at).date(), closes_on) if closed_at else closes_on
        found.append(NetworkInputs(hit_id, pk, as_of, nodes[pk], ratings[pk], answered[pk], ties=None))
    return found


def _co_membership_inputs(hit_ids: list[int], today: datetime.date) -> list[NetworkInputs]:
    codes = _category_codes()
    categories: dict[int, dict[int, int]] = defaultdict(dict)
    names: dict[int, str] = {}
    own_row: dict[int, set[int]] = defaultdict(set)
    for hit_id, org_id, name, category_id, person_id in (
        Stakeholder.objects.filter(hit_id__in=hit_ids, organisation__isnull=False, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("hit_id", "organisation_id", "category__position", "pk")
        .values_list("hit_id", "organisation_id", "organisation__name", "category_id", "person_id")
    ):
        names[org_id] = name
        _pick_category(categories[hit_id], own_row[hit_id], org_id, category_id, person_id)
    groups: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for hit_id, org_id, role, group_id in (
        Membership.objects.filter(hit_id__in=hit_ids, organisation__isnull=False, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("hit_id", "organisation_id", "role", "working_group_id")
    ):
        if role in MANAGEMENT_ROLES:
            groups[hit_id]["management"].add(org_id)
        if group_id is not None:
            groups[hit_id][f"wg{group_id}"].add(org_id)
    found = []
    for hit_id in sorted(hit_ids):
        partners = categories.get(hit_id, {})
        nodes = [domain.Node(org, names[org], codes.get(cat, "")) for org, cat in sorted(partners.items())]
        ties = domain.co_membership_ties(
            [members & partners.keys() for _key, members in sorted(groups.get(hit_id, {}).items())]
        )
        found.append(NetworkInputs(hit_id, None, today, nodes, [], [], ties=ties))
    return found


def _detail(inputs: NetworkInputs, metrics: domain.Metrics) -> dict[str, Any]:
    positions = domain.layout([n.id for n in inputs.nodes], metrics.tie_list)
    return {
        "nodes": [
            {
                "id": n.id,
                "name": n.name,
                "category": n.category,
                "degree": n.degree,
                "betweenness": round(n.betweenness, 6),
                "articulation": n.articulation,
                "responded": n.responded,
                "raters": n.raters,
                "mean_level": n.mean_level,
                "mean_trust": n.mean_trust,
                "mean_value": n.mean_value,
                "x": positions.get(n.id, (0.5, 0.5))[0],
                "y": positions.get(n.id, (0.5, 0.5))[1],
            }
            for n in metrics.node_metrics
        ],
        "ties": [[t.a, t.b, round(t.strength, 4)] for t in metrics.tie_list],
        "category_matrix": metrics.category_matrix,
        "component_sizes": list(metrics.component_sizes),
        "isolates": list(metrics.isolates),
        "articulation_points": list(metrics.articulation_points),
        "asymmetric_pairs": [list(p) for p in metrics.asymmetric_pairs],
    }


def _result(inputs: NetworkInputs, digest: str, now: datetime.datetime) -> NetworkResult:
    metrics = domain.network_metrics(
        inputs.nodes, inputs.ratings, respondents=inputs.respondents, ties=inputs.ties
    )
    return NetworkResult(
        hit_id=inputs.hit_id,
        network_round_id=inputs.network_round_id,
        source=NetworkSource.ROUND if inputs.network_round_id else NetworkSource.CO_MEMBERSHIP,
        as_of=inputs.as_of,
        nodes=metrics.nodes,
        respondents=metrics.respondents,
        response_rate=metrics.response_rate,
        ties=metrics.ties,
        density=metrics.density,
        degree_centralization=metrics.degree_centralization,
        betweenness_centralization=metrics.betweenness_centralization,
        components=metrics.components,
        isolates=len(metrics.isolates),
        articulation_points=len(metrics.articulation_points),
        ei_index=metrics.ei_index,
        asymmetric_pairs=len(metrics.asymmetric_pairs),
        mean_trust=metrics.mean_trust,
        mean_value=metrics.mean_value,
        detail=_detail(inputs, metrics),
        fingerprint=digest,
        computed_at=now,
    )


@dataclass
class ComputeOutcome:
    computed: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"computed": self.computed, "unchanged": self.unchanged}


@transaction.atomic
def _store(all_inputs: list[NetworkInputs], force: bool) -> ComputeOutcome:
    outcome = ComputeOutcome()
    now = timezone.now()
    round_ids = [i.network_round_id for i in all_inputs if i.network_round_id]
    co_hits = [i.hit_id for i in all_inputs if i.network_round_id is None]
    stored: dict[tuple[int, int | None], tuple[int, str]] = {}
    for pk, hit_id, round_id, digest in NetworkResult.objects.filter(
        Q(network_round_id__in=round_ids) | Q(source=NetworkSource.CO_MEMBERSHIP, hit_id__in=co_hits)
    ).values_list("pk", "hit_id", "network_round_id", "fingerprint"):
        stored[(hit_id, round_id)] = (pk, digest)
    new: list[NetworkResult] = []
    replaced: list[int] = []
    for inputs in all_inputs:
        digest = domain.fingerprint(inputs.nodes, inputs.ratings, inputs.ties)
        current = stored.get((inputs.hit_id, inputs.network_round_id))
        if current is not None and current[1] == digest and not force:
            outcome.unchanged += 1
            continue
        new.append(_result(inputs, digest, now))
        if current is not None:
            replaced.append(current[0])
        outcome.computed += 1
    # A changed result is written anew: nothing refers to a result row, and one delete and one insert
    # are several times faster than an update of every column of every row (bench/network.py).
    NetworkResult.objects.filter(pk__in=replaced).delete()
    NetworkResult.objects.bulk_create(new, batch_size=500)
    return outcome


def network_compute(
    *,
    round_ids: Iterable[int] | None = None,
    hit_ids: Iterable[int] | None = None,
    force: bool = False,
    today: datetime.date | None = None,
) -> ComputeOutcome:
    """Store the metrics of closed rounds and of HITs' co-membership networks.

    `round_ids`: those closed rounds; `hit_ids`: every closed round of those HITs and their
    co-membership networks; both None: every closed round and every HIT (the nightly run). A result
    whose inputs' fingerprint is unchanged is left alone unless `force`. Ratings of a closed round
    never change (they are refused after the close), so its result changes only when an
    organisation is renamed or a category recoded. Set-based: a few queries per chunk of CHUNK_HITS
    HITs, whatever the size of their networks. Side effects: NetworkResult rows created or updated (computed_at, fingerprint).
    """
    today = today or timezone.localdate()
    closed = NetworkRound.objects.filter(status=NetworkRoundStatus.CLOSED)
    if round_ids is not None:
        return _compute_chunk(
            list(closed.filter(pk__in=list(round_ids)).values_list("pk", flat=True)), [], today, force
        )
    hits = (
        list(hit_ids)
        if hit_ids is not None
        else list(HIT.objects.order_by("pk").values_list("pk", flat=True))
    )
    outcome = ComputeOutcome()
    # HITs a chunk at a time: the memory a run needs stays that of one chunk's ratings, and each
    # chunk commits on its own.
    for start in range(0, len(hits), CHUNK_HITS):
        chunk = hits[start : start + CHUNK_HITS]
        rounds = list(closed.filter(hit_id__in=chunk).values_list("pk", flat=True))
        done = _compute_chunk(rounds, chunk, today, force)
        outcome.computed += done.computed
        outcome.unchanged += done.unchanged
    return outcome


def _compute_chunk(
    round_ids: list[int], hit_ids: list[int], today: datetime.date, force: bool
) -> ComputeOutcome:
    inputs = _round_inputs(round_ids) if round_ids else []
    if hit_ids:
        inputs += _co_membership_inputs(hit_ids, today)
    return _store(inputs, force)
