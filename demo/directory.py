"""The demo's directory: organisations, logins (with their programme roles) and people with their
posts (tables in demo/data_directory.py). Rows are matched by organisation name and email; an existing
login keeps its password."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from demo.context import DemoContext
from demo.data_directory import DEMO_PASSWORD, LOGINS, ORGANISATIONS, PEOPLE
from teams.models import Affiliation, Organisation, OrganisationType, Person, StakeholderCategory, User
from teams.services.directory import role_grant


def load_organisations(ctx: DemoContext) -> None:
    ctx.categories = {c.code: c for c in StakeholderCategory.objects.all()}
    types = {t.code: t for t in OrganisationType.objects.all()}
    missing = {code for *_, code, _, _ in ORGANISATIONS} - set(types)
    if missing:
        raise RuntimeError(f"Organisation types missing (run migrate first): {', '.join(sorted(missing))}")
    for key, name, short, type_code, partner, parent in ORGANISATIONS:
        ctx.orgs[key], _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "short_name": short,
                "org_type": types[type_code],
                "is_programme_partner": partner,
                "parent": ctx.orgs[parent] if parent else None,
            },
        )


def load_users(ctx: DemoContext) -> None:
    existing = {u.email: u for u in User.objects.filter(email__in=[login.email for login in LOGINS])}
    password_hash = ""
    for login in LOGINS:
        user = existing.get(login.email)
        if user is None:
            # Hash once, and only when a login is missing: the same password for every demo login,
            # and hashing is deliberately slow.
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                email=login.email,
                full_name=login.full_name,
                password=password_hash,
                is_staff=login.is_staff,
                is_superuser=login.is_superuser,
            )
        ctx.users[login.key] = user
    pm = ctx.users["pm"]
    for login in LOGINS:
        if login.programme_role:
            role_grant(actor=pm, user=ctx.users[login.key], role=login.programme_role, notify=False)


def load_people(ctx: DemoContext) -> None:
    login_keys = {login.key for login in LOGINS if login.has_person}
    existing = {p.email: p for p in Person.objects.filter(email__in=[spec.address for spec in PEOPLE])}
    for spec in PEOPLE:
        person = existing.get(spec.address)
        user = ctx.users.get(spec.key) if spec.key in login_keys else None
        if person is None:
            person = Person.objects.create(
                full_name=spec.full_name,
                email=spec.address,
                is_public_member=spec.public,
                professional_group=spec.professional_group,
                user=user if user is not None and not Person.objects.filter(user=user).exists() else None,
            )
        elif user is not None and person.user_id is None and not Person.objects.filter(user=user).exists():
            person.user = user
            person.save(update_fields=["user", "updated_at"])
        ctx.people[spec.key] = person
        for position, (org_key, title, appointment) in enumerate(spec.posts):
            Affiliation.objects.get_or_create(
                person=person,
                organisation=ctx.orgs[org_key],
                job_title=title,
                defaults={"appointment": appointment, "is_primary": position == 0},
            )
