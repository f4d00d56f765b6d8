"""Edit and create pages of the teams app: the directory, members, and a HIT's lifecycle records."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from teams.models import (
    HIT,
    Affiliation,
    Document,
    HITLink,
    Meeting,
    Membership,
    Organisation,
    Person,
    SponsorInteraction,
    Theme,
    User,
    WorkingGroup,
)
from teams.services import directory as services
from teams.services.profile import ProfileValues, hit_profile_update
from teams.services.vocabularies import vocabulary_term_change
from tests import factories as f
from tests.concurrency_cases.base import CREATED, THEIRS, TYPED, CreateCase, EditCase
from tests.factories import teams_lifecycle as lf

# --- Edit pages --------------------------------------------------------------------------------------


def _profile(ctx: dict) -> tuple[dict, Any]:
    hit = ctx["hit"]
    return {"pk": hit.pk}, hit


def _profile_post(row: Any) -> dict:
    return {
        "name": row.name,
        "focus": row.focus,
        "problem": row.problem,
        "aims": TYPED,
        "host_organisation": "",
        "host_unit": row.host_unit,
    }


def _profile_elsewhere(row: Any, ctx: dict) -> None:
    hit_profile_update(actor=ctx["peer"], hit_id=row.pk, values=ProfileValues(aims=THEIRS))


def _organisation(ctx: dict) -> tuple[dict, Any]:
    row = f.OrganisationFactory(name="North Trust", short_name="NT")
    return {"pk": row.pk}, row


def _organisation_post(row: Any) -> dict:
    return {
        "name": TYPED,
        "short_name": row.short_name,
        "org_type": row.org_type_id,
        "parent": "",
        "website": "",
        "is_active": "on",
    }


def _organisation_elsewhere(row: Any, ctx: dict) -> None:
    fresh = Organisation.objects.get(pk=row.pk)
    fresh.name = THEIRS
    services.organisation_save(actor=ctx["peer"], organisation=fresh)


def _person(ctx: dict) -> tuple[dict, Any]:
    row = f.PersonFactory(full_name="Jo Bloggs", email="jo@example.org")
    return {"pk": row.pk}, row


def _person_post(row: Any) -> dict:
    return {"full_name": TYPED, "email": row.email, "is_public_member": ""}


def _person_elsewhere(row: Any, ctx: dict) -> None:
    fresh = Person.objects.get(pk=row.pk)
    fresh.full_name = THEIRS
    services.person_save(actor=ctx["peer"], person=fresh)


def _theme(ctx: dict) -> tuple[dict, Any]:
    row = Theme.objects.create(code="digital", name="Digital inclusion", position=7)
    return {"vocabulary": "theme", "pk": row.pk}, row


def _theme_post(row: Any) -> dict:
    return {"name": TYPED, "description": "", "position": row.position, "is_active": "on"}


def _theme_elsewhere(row: Any, ctx: dict) -> None:
    fresh = Theme.objects.get(pk=row.pk)
    fresh.name = THEIRS
    vocabulary_term_change(actor=ctx["peer"], vocabulary="theme", term=fresh)


EDIT_CASES = [
    EditCase(
        "teams:vocabulary-term-edit",
        "programme_manager",
        _theme,
        _theme_post,
        _theme_elsewhere,
        lambda row: Theme.objects.get(pk=row.pk).name,
        peer="other_programme_manager",
    ),
    EditCase(
        "teams:hit-profile-edit",
        "director",
        _profile,
        _profile_post,
        _profile_elsewhere,
        lambda row: HIT.objects.get(pk=row.pk).aims,
        peer="programme_manager",
    ),
    EditCase(
        "teams:organisation-edit",
        "programme_manager",
        _organisation,
        _organisation_post,
        _organisation_elsewhere,
        lambda row: Organisation.objects.get(pk=row.pk).name,
        peer="other_programme_manager",
    ),
    EditCase(
        "teams:person-edit",
        "programme_manager",
        _person,
        _person_post,
        _person_elsewhere,
        lambda row: Person.objects.get(pk=row.pk).full_name,
        peer="other_programme_manager",
    ),
]

# --- Create pages ------------------------------------------------------------------------------------


def _hit(ctx: dict) -> dict:
    return {"pk": ctx["hit"].pk}


def _today() -> str:
    return timezone.localdate().isoformat()


def _organisation_setup(ctx: dict) -> None:
    ctx["org_type"] = f.OrganisationTypeFactory()


def _affiliation_setup(ctx: dict) -> None:
    ctx["person"] = f.PersonFactory()
    ctx["organisation"] = f.OrganisationFactory()


def _link_setup(ctx: dict) -> None:
    ctx["other"] = f.HITFactory(name="Falls HIT", slug="falls")


def _document_setup(ctx: dict) -> None:
    ctx["document_type"] = f.DocumentTypeFactory()


def _sponsor_setup(ctx: dict) -> None:
    ctx["sponsor"] = f.MembershipFactory(hit=ctx["hit"], sponsor=True).person


def _person_without_login(ctx: dict) -> None:
    ctx["person"] = f.PersonFactory(full_name="Jo Bloggs", email="jo@example.org")


CREATE_CASES = [
    CreateCase(
        "teams:vocabulary-term-create",
        "programme_manager",
        lambda ctx: {"vocabulary": "theme"},
        lambda ctx: {"code": "created", "name": CREATED, "position": 9, "is_active": "on"},
        lambda ctx: Theme.objects.filter(name=CREATED).count(),
        repeatable=False,  # codes are unique
    ),
    CreateCase(
        "teams:account-create",
        "programme_manager",
        lambda ctx: {"pk": ctx["person"].pk},
        lambda ctx: {"email": "jo@example.org"},
        lambda ctx: User.objects.filter(email="jo@example.org").count(),
        setup=_person_without_login,
        repeatable=False,  # a person has one login
    ),
    CreateCase(
        "teams:organisation-create",
        "programme_manager",
        lambda ctx: {},
        lambda ctx: {"name": CREATED, "short_name": "", "org_type": ctx["org_type"].pk, "is_active": "on"},
        lambda ctx: Organisation.objects.filter(name=CREATED).count(),
        setup=_organisation_setup,
        repeatable=False,  # organisation names are unique
    ),
    CreateCase(
        "teams:person-create",
        "programme_manager",
        lambda ctx: {},
        lambda ctx: {"full_name": CREATED, "email": ""},
        lambda ctx: Person.objects.filter(full_name=CREATED).count(),
    ),
    CreateCase(
        "teams:affiliation-create",
        "programme_manager",
        lambda ctx: {"pk": ctx["person"].pk},
        lambda ctx: {
            "organisation": ctx["organisation"].pk,
            "job_title": CREATED,
            "appointment": "service",
            "start_date": "",
            "end_date": "",
        },
        lambda ctx: Affiliation.objects.filter(job_title=CREATED).count(),
        setup=_affiliation_setup,
        repeatable=False,  # one post per person, organisation and job title
    ),
    CreateCase(
        "teams:member-add",
        "director",
        _hit,
        lambda ctx: {"email": "new.member@example.org", "full_name": CREATED, "role": "member"},
        lambda ctx: Membership.objects.filter(person__full_name=CREATED).count(),
        repeatable=False,  # one current holder of a role per person
    ),
    CreateCase(
        "teams:working-group-create",
        "director",
        _hit,
        lambda ctx: {"name": CREATED, "purpose": ""},
        lambda ctx: WorkingGroup.objects.filter(name=CREATED).count(),
        repeatable=False,  # working group names are unique in a HIT
    ),
    CreateCase(
        "teams:hit-link-create",
        "director",
        _hit,
        lambda ctx: {"to_hit": ctx["other"].pk, "kind": "coordination", "note": CREATED},
        lambda ctx: HITLink.objects.filter(note=CREATED).count(),
        setup=_link_setup,
        repeatable=False,  # one link of a kind between two HITs
    ),
    CreateCase(
        "teams:document-upload",
        "director",
        _hit,
        lambda ctx: {"document_type": ctx["document_type"].pk, "title": CREATED},
        lambda ctx: Document.objects.filter(title=CREATED).count(),
        setup=_document_setup,
        files=lambda ctx: {"file": lf.upload("terms.pdf", lf.pdf_bytes())},
    ),
    CreateCase(
        "teams:meeting-create",
        "director",
        _hit,
        lambda ctx: {"working_group": "", "group_name": CREATED, "held_on": _today(), "notes": ""},
        lambda ctx: Meeting.objects.filter(group_name=CREATED).count(),
    ),
    CreateCase(
        "teams:sponsor-interaction-create",
        "director",
        _hit,
        lambda ctx: {"sponsor": ctx["sponsor"].pk, "happened_on": _today(), "kind": "call", "note": CREATED},
        lambda ctx: SponsorInteraction.objects.filter(note=CREATED).count(),
        setup=_sponsor_setup,
    ),
]
