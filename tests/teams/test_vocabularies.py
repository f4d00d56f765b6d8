"""The vocabularies of docs/domain.md section 2, edited by programme managers (teams/services/vocabularies.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.concurrency import StaleEdit, version_of
from teams.models import StakeholderCategory, Theme, VocabularyChange
from teams.services.vocabularies import vocabulary_term_add, vocabulary_term_change
from tests import factories as f


def _changes():
    return list(
        VocabularyChange.objects.order_by("pk").values_list(
            "vocabulary", "term_name", "change", "detail", "actor"
        )
    )


def test_vocabulary_term_add_records_the_change(programme_manager):
    term = vocabulary_term_add(
        actor=programme_manager, vocabulary="theme", term=Theme(code="digital", name="Digital inclusion")
    )

    assert Theme.objects.get(code="digital").pk == term.pk
    assert _changes() == [("theme", "Digital inclusion", "added", "", programme_manager.pk)]


def test_vocabulary_term_add_refuses_a_code_in_use(programme_manager):
    before = Theme.objects.count()

    with pytest.raises(ValidationError) as refused:
        vocabulary_term_add(actor=programme_manager, vocabulary="theme", term=Theme(code="ppi", name="Again"))

    assert list(refused.value.message_dict) == ["code"]
    assert (Theme.objects.count(), _changes()) == (before, [])


def test_vocabulary_term_change_records_a_rename_and_a_switch_off(programme_manager):
    term = Theme.objects.get(code="prevention")
    term.name = "Prevention and early help"
    term.is_active = False

    vocabulary_term_change(actor=programme_manager, vocabulary="theme", term=term)

    term.refresh_from_db()
    assert (term.name, term.is_active, term.code) == ("Prevention and early help", False, "prevention")
    assert _changes() == [
        ("theme", "Prevention and early help", "renamed", "Was: Prevention", programme_manager.pk),
        ("theme", "Prevention and early help", "switched_off", "", programme_manager.pk),
    ]


def test_vocabulary_term_change_without_a_change_writes_nothing(programme_manager):
    term = Theme.objects.get(code="prevention")

    assert vocabulary_term_change(actor=programme_manager, vocabulary="theme", term=term) == []
    assert _changes() == []


def test_vocabulary_term_change_of_a_stale_form_is_refused(programme_manager):
    term = Theme.objects.get(code="prevention")
    started_from = version_of(term)
    Theme.objects.filter(pk=term.pk).update(
        name="Changed meanwhile", updated_at=term.updated_at.replace(year=2030)
    )
    term.name = "Mine"

    with pytest.raises(StaleEdit):
        vocabulary_term_change(
            actor=programme_manager, vocabulary="theme", term=term, expected_version=started_from
        )

    assert Theme.objects.get(pk=term.pk).name == "Changed meanwhile"
    assert _changes() == []


def test_a_category_weight_change_recomputes_coverage(
    programme_manager, broker, django_capture_on_commit_callbacks
):
    category = StakeholderCategory.objects.get(code="RESEARCH")
    category.weight = Decimal("0.50")

    with django_capture_on_commit_callbacks(execute=True):
        vocabulary_term_change(actor=programme_manager, vocabulary="stakeholder_category", term=category)

    assert [name for name, _, _ in broker.published] == ["engagement.recompute_all"]
    assert _changes()[0][2:4] == ("changed", "Changed: weight")


def test_a_theme_rename_recomputes_nothing(programme_manager, broker, django_capture_on_commit_callbacks):
    term = Theme.objects.get(code="ppi")
    term.name = "Public involvement"

    with django_capture_on_commit_callbacks(execute=True):
        vocabulary_term_change(actor=programme_manager, vocabulary="theme", term=term)

    assert broker.published == []


def test_vocabulary_term_add_refused_to_a_board_member(board_member):
    with pytest.raises(PermissionDenied, match="Only programme managers edit the vocabularies"):
        vocabulary_term_add(actor=board_member, vocabulary="theme", term=Theme(code="x", name="X"))

    assert Theme.objects.filter(code="x").exists() is False


def test_a_switched_off_theme_is_no_longer_offered_but_stays_on_its_rows(programme_manager, hit):
    from teams.forms.members import MemberAddForm

    term = Theme.objects.get(code="workforce")
    lead = f.MembershipFactory(hit=hit, role="theme_lead", theme=term)
    term.is_active = False
    vocabulary_term_change(actor=programme_manager, vocabulary="theme", term=term)

    lead.refresh_from_db()
    assert lead.theme == term
    assert term not in MemberAddForm(hit=hit).fields["theme"].queryset


# --- Pages -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_vocabulary_list_query_count(client, programme_manager, django_assert_num_queries, count):
    f.OrganisationTypeFactory.create_batch(count, default_category=f.StakeholderCategoryFactory())
    client.force_login(programme_manager)

    # session, user, 3 role lookups, the terms with their category
    with django_assert_num_queries(6):
        response = client.get(reverse("teams:vocabulary-list", args=["organisation_type"]))

    assert response.status_code == 200
    assert len(response.context["terms"]) == 13 + count  # the seeded types and the new ones


def test_vocabulary_list_of_an_unknown_vocabulary_is_not_found(client, programme_manager):
    client.force_login(programme_manager)

    assert client.get(reverse("teams:vocabulary-list", args=["colours"])).status_code == 404


def test_vocabulary_term_create_page_adds_and_shows_errors(client, programme_manager):
    client.force_login(programme_manager)
    url = reverse("teams:vocabulary-term-create", args=["document_type"])

    refused = client.post(url, {"code": "minutes", "name": "Minutes again", "position": 1, "is_active": "on"})
    added = client.post(url, {"code": "policy", "name": "Policy", "position": 9, "is_active": "on"})

    assert refused.status_code == 200
    assert list(refused.context["form"].errors) == ["code"]
    assert refused.context["form"]["name"].value() == "Minutes again"
    assert added.url == reverse("teams:vocabulary-list", args=["document_type"])
    assert [row[1:3] for row in _changes()] == [("Policy", "added")]


def test_vocabulary_term_edit_page_switches_off(client, programme_manager):
    term = Theme.objects.get(code="inequalities")
    client.force_login(programme_manager)
    url = reverse("teams:vocabulary-term-edit", args=["theme", term.pk])
    form = client.get(url).context["form"]

    response = client.post(
        url,
        {"name": term.name, "description": "", "position": term.position, "version": form["version"].value()},
    )

    assert response.status_code == 302
    term.refresh_from_db()
    assert term.is_active is False
    assert [row[2] for row in _changes()] == ["switched_off"]


@pytest.mark.parametrize("change", ["weight", "switch"])
def test_a_category_edited_on_its_page_queues_the_coverage_recompute_of_every_hit(
    client, programme_manager, broker, django_capture_on_commit_callbacks, change
):
    """Changing a category's weight or switch on the edit page asks the worker to recompute every
    HIT's coverage (engagement.recompute_all) once the change commits, not at the nightly run."""
    term = StakeholderCategory.objects.get(code="RESEARCH")
    client.force_login(programme_manager)
    url = reverse("teams:vocabulary-term-edit", args=["stakeholder_category", term.pk])
    form = client.get(url).context["form"]
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields)}
    data = {name: value for name, value in data.items() if value is not None and value is not False}
    if change == "weight":
        data["weight"] = "0.50"
    else:
        data.pop("is_active", None)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.weight, term.is_active) == (
        (Decimal("0.50"), True) if change == "weight" else (term.weight, False)
    )
    assert [name for name, _, _ in broker.published] == ["engagement.recompute_all"]


def test_navigation_offers_vocabularies_to_programme_managers_only(client, programme_manager, board_member):
    url = reverse("teams:vocabulary-list", args=["stakeholder_category"])
    client.force_login(programme_manager)
    assert url in client.get(reverse("home")).content.decode()
    client.force_login(board_member)
    assert url not in client.get(reverse("home")).content.decode()
