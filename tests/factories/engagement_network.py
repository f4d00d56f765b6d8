"""Partnership network rounds built through the services, for the tests of rounds and pages."""

from __future__ import annotations

import datetime
import re

from django.core import mail
from django.utils import timezone

from engagement.services import network as svc
from tests import factories as f
from tests.factories import engagement as ef


def partners(hit, *names_and_codes):
    """Organisations on the HIT's map, each with an organisation row in the given category."""
    orgs = []
    for name, code in names_and_codes:
        organisation = f.OrganisationFactory(name=name)
        ef.StakeholderFactory(hit=hit, organisation=organisation, category=ef.category(code))
        orgs.append(organisation)
    return orgs


def planned_round(hit, actor, orgs=None, *, closes_in=14, title="Spring round"):
    """A planned round with every organisation's contact named (<organisation id>@example.org)."""
    network_round = svc.network_round_create(
        actor=actor,
        hit_id=hit.pk,
        title=title,
        closes_on=timezone.localdate() + datetime.timedelta(days=closes_in),
    )
    for respondent in network_round.respondents.select_related("organisation"):
        svc.network_respondent_set(
            actor=actor,
            respondent_id=respondent.pk,
            contact_name=f"Contact of {respondent.organisation.name}",
            email=f"{respondent.organisation_id}@example.org",
        )
    return network_round


def tokens_from_mail() -> dict[str, str]:
    """Recipient -> token, from the invitation emails sent so far."""
    found = {}
    for message in mail.outbox:
        match = re.search(r"/engagement/network-survey/([^/\s]+)/", message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found


def run_round(hit, actor, answers, *, capture, title="Spring round"):
    """A round planned, opened, answered and closed through the services; its result stored.

    `answers`: rater organisation -> {ratee organisation: PartnerRating}; `capture` is pytest-django's
    django_capture_on_commit_callbacks (the emails and the worker's task run after commit)."""
    network_round = planned_round(hit, actor, title=title)
    mail.outbox.clear()
    with capture(execute=True):
        svc.network_round_transition(actor=actor, round_id=network_round.pk, action="open")
    tokens = tokens_from_mail()
    for rater, ratings in answers.items():
        svc.network_submit(
            token=tokens[f"{rater.pk}@example.org"], ratings={ratee.pk: r for ratee, r in ratings.items()}
        )
    with capture(execute=True):
        svc.network_round_transition(actor=actor, round_id=network_round.pk, action="close")
    network_round.refresh_from_db()
    return network_round
