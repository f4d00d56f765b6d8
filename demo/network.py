"""The Dementia HIT's two partnership network rounds (docs/domain.md section 8), run through the
engagement services on the travelling clock (demo/clock.py): planned, the contacts named, opened,
answered through one-time links, and closed, the first by its date and the second early by the
director. Between them the partners moved closer: the council and the patients' group, which hung on
one partner each in the first round, are tied to several in the second, so the network no longer
depends on them. The worker's metrics are computed with the other scores (demo.engagement.compute_scores).

Ratings come from the rule `_level` below, not from randomness, so the demo is the same on every
machine; a round is matched by its HIT and title and only run when missing.
"""

from __future__ import annotations

from demo.clock import on_day
from demo.context import DemoContext
from engagement.models import NetworkRespondent, NetworkRound
from engagement.services.network import (
    PartnerRating,
    network_close_due,
    network_respondent_set,
    network_round_create,
    network_round_transition,
    network_submit,
    token_digest,
)
from engagement.services.surveys import new_token
from teams.models import HIT

BASELINE = "Baseline network"
ONE_QUARTER_ON = "One quarter on"
# (title, planned months ago, opened, closes on (months ago), answered from, closed early months ago
# or None (then by its date), organisation keys that did not answer)
ROUNDS = (
    (BASELINE, 3.3, 3.2, 2.6, 3.1, None, ("ccg_north",)),
    (ONE_QUARTER_ON, 1.1, 1.0, 0.2, 0.9, 0.5, ()),
)
# The organisations that reach the rest through one partner only in the baseline round.
OUTLIERS = {"council": "mh", "patients_voice": "council"}


def load_network_rounds(ctx: DemoContext) -> None:
    hit = ctx.hits["dementia"]
    for number, (title, planned, opened, closes, answered, closed_early, silent) in enumerate(ROUNDS):
        if NetworkRound.objects.filter(hit=hit, title=title).exists():
            continue
        _run_round(ctx, hit, number, title, planned, opened, closes, answered, closed_early, silent)


def _key_of(ctx: DemoContext) -> dict[int, str]:
    return {organisation.pk: key for key, organisation in ctx.orgs.items()}


def _level(number: int, rater: str, ratee: str, index: dict[str, int]) -> int:
    """How `rater` says it works with `ratee` in round `number` (0 the baseline, 1 a quarter on)."""
    pair = {rater, ratee}
    for outlier, only in OUTLIERS.items():
        if pair == {outlier, only}:
            # The patients' group sees more in its tie to the council than the council does.
            return 4 if rater == "patients_voice" else 2
    for outlier in OUTLIERS:
        if outlier in pair:
            if number == 0:
                return 0
            # A quarter on: both work with the providers' side too, and the council more widely.
            other = (pair - {outlier}).pop()
            wide = outlier == "council" and index[other] % 2 == 0
            return 2 if other in {"mh", "acute"} or wide else 0
    i, j = index[rater], index[ratee]
    if (i + j) % (3 if number == 0 else 5) == 0:
        return 0
    return 1 + (i * j + number) % 4


def _rating(level: int, rater_index: int) -> PartnerRating:
    if level == 0:
        return PartnerRating(0)
    return PartnerRating(level, min(4, 1 + level // 2 + rater_index % 2), min(4, 1 + (level + 1) // 2))


def _run_round(
    ctx: DemoContext,
    hit: HIT,
    number: int,
    title: str,
    planned: float,
    opened: float,
    closes: float,
    answered: float,
    closed_early: float | None,
    silent: tuple[str, ...],
) -> None:
    director = ctx.users["director"]
    key_of = _key_of(ctx)
    with on_day(ctx, ctx.moment(planned)):
        network_round = network_round_create(
            actor=director, hit_id=hit.pk, title=title, closes_on=ctx.day(closes)
        )
        respondents = list(network_round.respondents.select_related("organisation"))
        for respondent in respondents:
            organisation = respondent.organisation
            network_respondent_set(
                actor=director,
                respondent_id=respondent.pk,
                contact_name=f"Partnership lead, {organisation.short_name or organisation.name}",
                email=f"network.{key_of.get(organisation.pk, organisation.pk)}@example.org",
            )
    with on_day(ctx, ctx.moment(opened)):
        network_round_transition(actor=director, round_id=network_round.pk, action="open")
    # The service emails each link and keeps only its digest; the demo answers with the tokens, so it
    # issues the links it answers the same way itself.
    tokens = {}
    for respondent in respondents:
        token = new_token()
        NetworkRespondent.objects.filter(pk=respondent.pk).update(token_digest=token_digest(token))
        tokens[respondent.organisation_id] = token
    keys = {r.organisation_id: key_of.get(r.organisation_id, str(r.organisation_id)) for r in respondents}
    index = {key: position for position, key in enumerate(sorted(keys.values()))}
    with on_day(ctx, ctx.moment(answered)):
        for respondent in respondents:
            rater = keys[respondent.organisation_id]
            if rater in silent:
                continue
            network_submit(
                token=tokens[respondent.organisation_id],
                ratings={
                    other: _rating(_level(number, rater, keys[other], index), index[rater])
                    for other in keys
                    if other != respondent.organisation_id
                },
            )
    if closed_early is None:
        with on_day(ctx, ctx.moment(closes - 0.1)):
            network_close_due()
    else:
        with on_day(ctx, ctx.moment(closed_early)):
            network_round_transition(actor=director, round_id=network_round.pk, action="close")
