"""The scale dataset's HITs and what hangs off them (demo/scale.py builds it): organisations, HITs,
stakeholder links, PPI logs, applications and revisions, survey answers, the one far larger HIT, and
the people: the bench logins, the scale round's panel, each HIT's director and members.

Bulk inserts throughout; each part is built only for the scale HITs that lack it.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accreditation.enums import PanelRole
from accreditation.models import Application, Panel, PanelMember, Revision, Round
from demo.data_directory import DEMO_PASSWORD
from demo.data_scale import (
    BIG_HIT_LINKS,
    BOARD_EMAIL,
    CHAIR_EMAIL,
    EMAIL_DOMAIN,
    MEMBER_WITH_LOGIN,
    PM_EMAIL,
    PREFIX,
    ROUND_NAME,
    director_email,
    member_email,
)
from engagement.models import Answer, InvolvementActivity, Item, Response, Stakeholder, Wave
from teams.enums import HITStatus, LifecycleStage, MembershipRole, ProgrammeRole
from teams.models import (
    HIT,
    Membership,
    Organisation,
    OrganisationType,
    Person,
    RoleAssignment,
    StakeholderCategory,
    User,
)
from teams.roles import roles_changed


def scale_hits() -> QuerySet[HIT]:
    return HIT.objects.filter(name__startswith=PREFIX)


def build_base(
    *,
    hits: int,
    links_per_hit: int,
    revisions_per_hit: int,
    responses_per_hit: int,
    rng: random.Random,
    say: Callable[[str], None],
) -> bool:
    """HITs, organisations, stakeholder links, PPI log, applications and revisions, survey answers."""
    if scale_hits().count() >= hits:
        return False
    today = timezone.localdate()
    types = list(OrganisationType.objects.select_related("default_category"))
    categories = {c.code: c.pk for c in StakeholderCategory.objects.all()}
    say("Organisations...")
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"Scale organisation {n:04d}", org_type=types[n % len(types)])
            for n in range(500)
        ],
        ignore_conflicts=True,
    )
    orgs = list(
        Organisation.objects.filter(name__startswith="Scale organisation").values_list(
            "pk", "org_type__default_category_id"
        )
    )
    say("HITs...")
    hit_ids = _hits(hits, rng=rng)
    say("Stakeholder links...")
    _links_and_ppi(
        hit_ids, orgs, list(categories.values()), links_per_hit=links_per_hit, rng=rng, today=today
    )
    say("Applications and revisions...")
    _applications(hit_ids, revisions_per_hit=revisions_per_hit, today=today)
    say("Survey waves, responses and answers...")
    _survey_answers(hit_ids, responses_per_hit=responses_per_hit, rng=rng, today=today)
    return True


def _hits(hits: int, *, rng: random.Random) -> list[int]:
    """The scale HITs a smaller build lacks (--hits 20, then 1000): returns the new HITs' ids."""
    existing = set(scale_hits().values_list("name", flat=True))
    new_names = [f"{PREFIX} {n:04d}" for n in range(hits) if f"{PREFIX} {n:04d}" not in existing]
    statuses = [HITStatus.ACTIVE] * 6 + [HITStatus.SET_UP, HITStatus.IN_APPLICATION, HITStatus.SUSPENDED]
    HIT.objects.bulk_create(
        [
            HIT(
                name=f"{PREFIX} {n:04d}",
                slug=f"scale-hit-{n:04d}",
                focus="Illustrative focus area",
                status=rng.choice(statuses),
                stage=rng.choice(LifecycleStage.values),
                is_illustrative=True,
            )
            for n in range(hits)
            if f"{PREFIX} {n:04d}" not in existing
        ],
        batch_size=1000,
    )
    return list(HIT.objects.filter(name__in=new_names).values_list("pk", flat=True))


def _links_and_ppi(
    hit_ids: list[int],
    orgs: list[tuple[int, int | None]],
    category_ids: list[int],
    *,
    links_per_hit: int,
    rng: random.Random,
    today: datetime.date,
) -> None:
    """`links_per_hit` stakeholder links per HIT (organisations in their default category) and five
    PPI log entries."""
    Stakeholder.objects.bulk_create(
        [
            Stakeholder(
                hit_id=hit_id,
                organisation_id=org_id,
                category_id=default_category or rng.choice(category_ids),
                depth=rng.randint(0, 3),
                start_date=today - datetime.timedelta(days=rng.randint(1, 900)),
                end_date=None if rng.random() > 0.1 else today - datetime.timedelta(days=1),
            )
            for hit_id in hit_ids
            for org_id, default_category in rng.sample(orgs, links_per_hit)
        ],
        batch_size=2000,
    )
    InvolvementActivity.objects.bulk_create(
        [
            InvolvementActivity(
                hit_id=hit_id,
                happened_on=today - datetime.timedelta(days=rng.randint(1, 400)),
                activity_type="meeting",
                level="involve",
                decision_forum=rng.choice(
                    ["none", "delivery", "hit_group", "hit_leadership", "commissioning"]
                ),
                patients=rng.randint(0, 8),
            )
            for hit_id in hit_ids
            for _ in range(5)
        ],
        batch_size=2000,
    )


def _applications(hit_ids: list[int], *, revisions_per_hit: int, today: datetime.date) -> None:
    """One accredited application per HIT in the scale round, with `revisions_per_hit` revisions."""
    round_, _ = Round.objects.get_or_create(
        name=ROUND_NAME,
        defaults={
            "opens_on": today - datetime.timedelta(days=400),
            "eoi_deadline": today - datetime.timedelta(days=350),
            "application_deadline": today - datetime.timedelta(days=300),
        },
    )
    Application.objects.bulk_create(
        [
            Application(hit_id=hit_id, round=round_, status="accredited", version=revisions_per_hit)
            for hit_id in hit_ids
        ],
        batch_size=1000,
    )
    applications = list(
        Application.objects.filter(round=round_, hit_id__in=hit_ids).values_list("pk", flat=True)
    )
    Revision.objects.bulk_create(
        [
            Revision(
                application_id=application_id,
                number=number,
                sections={
                    "aims": {"aims": "Illustrative aims", "problem": "A problem", "boundaries": "Many"}
                },
                organisation_count=4 + number,
                category_count=min(7, 2 + number),
            )
            for application_id in applications
            for number in range(1, revisions_per_hit + 1)
        ],
        batch_size=2000,
    )


def _survey_answers(
    hit_ids: list[int], *, responses_per_hit: int, rng: random.Random, today: datetime.date
) -> None:
    """One closed readiness wave per HIT, `responses_per_hit` submitted responses each answering
    every item of the bank."""
    items = list(Item.objects.filter(instrument__name="Readiness for collaboration", instrument__version=1))
    instrument_id = items[0].instrument_id
    Wave.objects.bulk_create(
        [
            Wave(
                hit_id=hit_id,
                instrument_id=instrument_id,
                title="Scale wave",
                opens_on=today - datetime.timedelta(days=60),
                closes_on=today - datetime.timedelta(days=30),
            )
            for hit_id in hit_ids
        ],
        batch_size=1000,
    )
    waves = list(Wave.objects.filter(title="Scale wave", hit_id__in=hit_ids).values_list("pk", "hit_id"))
    # Respondents come from a handful of the HIT's own partner organisations, as in a real wave.
    partners: dict[int, list[int]] = {}
    for hit_id, org_id in Stakeholder.objects.filter(hit_id__in=hit_ids).values_list(
        "hit_id", "organisation_id"
    ):
        partners.setdefault(hit_id, []).append(org_id)
    roles = ["leadership", "clinical", "management", "academic", "public", "other"]
    Response.objects.bulk_create(
        [
            Response(
                wave_id=wave_id,
                response_key=f"scale-{wave_id}-{n}",
                organisation_id=rng.choice(partners[hit_id][:6]) if rng.random() > 0.2 else None,
                role_group=rng.choice(roles),
                is_submitted=True,
                submitted_on=today - datetime.timedelta(days=40),
            )
            for wave_id, hit_id in waves
            for n in range(responses_per_hit)
        ],
        batch_size=5000,
    )
    response_ids = Response.objects.filter(
        response_key__startswith="scale-", wave__hit_id__in=hit_ids
    ).values_list("pk", flat=True)
    batch: list[Answer] = []
    for response_id in response_ids.iterator(chunk_size=5000):
        for item in items:
            batch.append(
                Answer(response_id=response_id, item_id=item.pk, value=rng.choice([1, 2, 3, 4, 5, None]))
            )
        if len(batch) >= 30000:
            Answer.objects.bulk_create(batch)
            batch = []
    if batch:
        Answer.objects.bulk_create(batch)


def build_big_hit(*, say: Callable[[str], None]) -> bool:
    """One HIT far larger than the rest: its pages show whether cost grows with a HIT's size."""
    big = scale_hits().order_by("pk").first()
    if big is None or big.stakeholders.count() >= BIG_HIT_LINKS:
        return False
    say(f"{BIG_HIT_LINKS} more stakeholder links for {big.name}...")
    category = big.stakeholders.values_list("category_id", flat=True).first()
    Stakeholder.objects.bulk_create(
        Stakeholder(hit=big, organisation_id=org_id, category_id=category, depth=2)
        for org_id in Organisation.objects.order_by("pk").values_list("pk", flat=True)[:BIG_HIT_LINKS]
    )
    return True


def build_people(*, members_per_hit: int, say: Callable[[str], None]) -> bool:
    """The bench logins, a panel for the scale round, and each HIT's director (with a login) and
    members (directory entries), for HITs that have no director yet."""
    password = make_password(DEMO_PASSWORD)
    changed = _logins_and_panel(password=password)
    directed = Membership.objects.filter(role=MembershipRole.DIRECTOR).values("hit_id")
    todo = list(scale_hits().exclude(pk__in=directed).order_by("pk").values_list("pk", "name"))
    if not todo:
        return changed
    say(f"Directors and members of {len(todo)} HITs...")
    _directors_and_members(todo, members_per_hit=members_per_hit, password=password)
    return True


def build_member_logins(*, say: Callable[[str], None]) -> bool:
    """A login for one plain member of each HIT (member MEMBER_WITH_LOGIN), for the members that lack
    one, so the pages a HIT member reads can be measured too."""
    people = Person.objects.filter(
        email__startswith="scale-member-",
        email__endswith=f"-{MEMBER_WITH_LOGIN}@{EMAIL_DOMAIN}",
        user__isnull=True,
    )
    todo = list(people.values_list("email", "full_name"))
    if not todo:
        return False
    say(f"Logins for {len(todo)} HIT members...")
    password = make_password(DEMO_PASSWORD)
    User.objects.bulk_create(
        [User(email=email, full_name=name, password=password) for email, name in todo],
        batch_size=1000,
        ignore_conflicts=True,
    )
    people.update(user_id=Subquery(User.objects.filter(email=OuterRef("email")).values("pk")[:1]))
    # bulk_create and update send no signal: no cached roles may outlive the new links.
    roles_changed(
        User.objects.filter(email__in=[email for email, _name in todo]).values_list("pk", flat=True)
    )
    return True


def _logins_and_panel(*, password: str) -> bool:
    """The programme manager, board member and chair logins, and the scale round's panel. Returns
    whether a login was created."""
    changed = False
    for email, name, role in (
        (PM_EMAIL, "Scale Programme Manager", ProgrammeRole.PROGRAMME_MANAGER),
        (BOARD_EMAIL, "Scale Board Member", ProgrammeRole.BOARD_MEMBER),
        (CHAIR_EMAIL, "Scale Panel Chair", None),
    ):
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "password": password}
        )
        changed |= created
        if role:
            RoleAssignment.objects.get_or_create(user=user, role=role)
    round_ = Round.objects.filter(name=ROUND_NAME).first()
    if round_ is not None:
        panel, _ = Panel.objects.get_or_create(round=round_, name="Scale panel")
        PanelMember.objects.get_or_create(
            panel=panel, role=PanelRole.CHAIR, defaults={"user": User.objects.get(email=CHAIR_EMAIL)}
        )
    return changed


def _directors_and_members(todo: list[tuple[int, str]], *, members_per_hit: int, password: str) -> None:
    """For each (HIT id, name): a director with a login, and `members_per_hit` members (the first on
    the management group), all members for the last three years."""
    numbers = {pk: int(name.rsplit(" ", 1)[1]) for pk, name in todo}
    User.objects.bulk_create(
        [
            User(email=director_email(n), full_name=f"Scale Director {n:04d}", password=password)
            for n in numbers.values()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    users = dict(User.objects.filter(email__startswith="scale-director-").values_list("email", "pk"))
    people = []
    for n in numbers.values():
        people.append(
            Person(
                full_name=f"Scale Director {n:04d}", email=director_email(n), user_id=users[director_email(n)]
            )
        )
        people.extend(
            Person(full_name=f"Scale Member {n:04d}-{m}", email=member_email(n, m))
            for m in range(1, members_per_hit + 1)
        )
    Person.objects.bulk_create(people, batch_size=2000, ignore_conflicts=True)
    person_ids = dict(Person.objects.filter(email__startswith="scale-").values_list("email", "pk"))
    since = timezone.localdate() - datetime.timedelta(days=3 * 365)
    Membership.objects.bulk_create(
        [
            Membership(
                hit_id=hit_id,
                person_id=person_ids[director_email(n)],
                role=MembershipRole.DIRECTOR,
                start_date=since,
            )
            for hit_id, n in numbers.items()
        ]
        + [
            Membership(
                hit_id=hit_id,
                person_id=person_ids[member_email(n, m)],
                role=MembershipRole.MANAGEMENT_GROUP if m == 1 else MembershipRole.MEMBER,
                start_date=since,
            )
            for hit_id, n in numbers.items()
            for m in range(1, members_per_hit + 1)
        ],
        batch_size=2000,
    )
    # bulk_create sends no signal: the directors' cached roles must not outlive their new memberships.
    roles_changed(users[director_email(n)] for n in numbers.values())
