"""teams.services.profile: who edits a HIT's profile, what is written, what the history keeps."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.concurrency import StaleEdit, version_of
from teams.enums import HITStatus, ProfileChangeSource
from teams.models import HIT, HITProfileChange
from teams.services.profile import ProfileValues, hit_profile_adopt, hit_profile_update
from tests import factories as f


def test_update_by_the_director_writes_the_fields_and_one_history_row(hit, director):
    host = f.OrganisationFactory(name="North Trust")

    hit_profile_update(
        actor=director,
        hit_id=hit.pk,
        values=ProfileValues(aims="Fewer admissions.", host_organisation=host, host_unit="Older people"),
    )

    hit.refresh_from_db()
    change = HITProfileChange.objects.get(hit=hit)
    assert (hit.aims, hit.host_organisation, hit.host_unit) == ("Fewer admissions.", host, "Older people")
    assert (change.actor, change.source, change.source_label) == (director, ProfileChangeSource.EDIT, "")
    assert change.changes == [
        {"field": "aims", "label": "Aims", "before": "", "after": "Fewer admissions."},
        {"field": "host_organisation", "label": "Host organisation", "before": "", "after": "North Trust"},
        {"field": "host_unit", "label": "Host unit or division", "before": "", "after": "Older people"},
    ]


def test_update_by_a_programme_manager_is_allowed(hit, programme_manager):
    hit_profile_update(actor=programme_manager, hit_id=hit.pk, values=ProfileValues(focus="Memory clinics"))

    hit.refresh_from_db()
    assert hit.focus == "Memory clinics"
    assert HITProfileChange.objects.get(hit=hit).actor == programme_manager


def test_update_by_a_co_director_is_allowed(hit):
    co_director = f.UserFactory()
    f.MembershipFactory(hit=hit, person=f.PersonFactory(user=co_director), role="co_director")

    hit_profile_update(actor=co_director, hit_id=hit.pk, values=ProfileValues(name="Memory HIT"))

    hit.refresh_from_db()
    assert hit.name == "Memory HIT"


@pytest.mark.parametrize("persona", ["teammate", "sponsor", "board_member", "outsider"])
def test_update_by_others_is_refused_and_changes_nothing(request, hit, persona):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied, match="Only the HIT's director or a programme manager"):
        hit_profile_update(actor=actor, hit_id=hit.pk, values=ProfileValues(aims="Other aims"))

    hit.refresh_from_db()
    assert hit.aims == ""
    assert HITProfileChange.objects.count() == 0


def test_update_of_a_closed_hit_is_refused(programme_manager):
    hit = f.HITFactory(closed=True)

    with pytest.raises(PermissionDenied, match="A closed HIT's profile is kept as it was"):
        hit_profile_update(actor=programme_manager, hit_id=hit.pk, values=ProfileValues(aims="Late aims"))

    assert HITProfileChange.objects.count() == 0


def test_update_with_nothing_changed_writes_no_history(hit, director):
    before = version_of(hit)

    hit_profile_update(actor=director, hit_id=hit.pk, values=ProfileValues(name=hit.name, focus=hit.focus))

    hit.refresh_from_db()
    assert version_of(hit) == before
    assert HITProfileChange.objects.count() == 0


def test_update_to_another_hits_name_is_refused_and_changes_nothing(hit, other_hit, director):
    with pytest.raises(ValidationError) as caught:
        hit_profile_update(
            actor=director, hit_id=hit.pk, values=ProfileValues(name=other_hit.name, aims="New aims")
        )

    hit.refresh_from_db()
    assert list(caught.value.message_dict) == ["name"]
    assert (hit.name, hit.aims) == ("Dementia HIT", "")
    assert HITProfileChange.objects.count() == 0


def test_update_from_a_stale_version_is_refused(hit, director, programme_manager):
    opened = version_of(hit)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=5)):
        hit_profile_update(actor=programme_manager, hit_id=hit.pk, values=ProfileValues(aims="First"))

        with pytest.raises(StaleEdit):
            hit_profile_update(
                actor=director, hit_id=hit.pk, values=ProfileValues(aims="Second"), expected_version=opened
            )

    hit.refresh_from_db()
    assert hit.aims == "First"
    assert HITProfileChange.objects.count() == 1


def test_update_can_clear_the_host_organisation(hit, director):
    HIT.objects.filter(pk=hit.pk).update(host_organisation=f.OrganisationFactory(name="Old Trust"))

    hit_profile_update(actor=director, hit_id=hit.pk, values=ProfileValues(clear_host_organisation=True))

    hit.refresh_from_db()
    assert hit.host_organisation is None
    assert HITProfileChange.objects.get().changes == [
        {"field": "host_organisation", "label": "Host organisation", "before": "Old Trust", "after": ""}
    ]


def test_adopt_takes_the_application_fields_and_records_the_source(programme_manager):
    hit = f.HITFactory(status=HITStatus.IN_APPLICATION, name="Pain HIT", focus="Chronic pain")
    host = f.OrganisationFactory(name="City University")

    hit_profile_adopt(
        actor=programme_manager,
        hit_id=hit.pk,
        values=ProfileValues(
            name="Ignored",
            aims="Better pain care.",
            problem="Pain.",
            host_organisation=host,
            host_unit="Medicine",
        ),
        source_label="the accredited application (Round 1, revision 2)",
    )

    hit.refresh_from_db()
    change = HITProfileChange.objects.get(hit=hit)
    assert (hit.name, hit.focus, hit.aims, hit.problem) == (
        "Pain HIT",
        "Chronic pain",
        "Better pain care.",
        "Pain.",
    )
    assert (hit.host_organisation, hit.host_unit) == (host, "Medicine")
    assert (change.source, change.source_label, change.actor) == (
        ProfileChangeSource.APPLICATION,
        "the accredited application (Round 1, revision 2)",
        programme_manager,
    )
    assert [c["field"] for c in change.changes] == ["problem", "aims", "host_organisation", "host_unit"]


def test_adopt_never_blanks_what_the_hit_holds(hit, programme_manager):
    HIT.objects.filter(pk=hit.pk).update(aims="Kept aims", host_unit="Kept unit")

    hit_profile_adopt(
        actor=programme_manager,
        hit_id=hit.pk,
        values=ProfileValues(aims="", problem="", host_organisation=None, host_unit=""),
        source_label="the accredited application",
    )

    hit.refresh_from_db()
    assert (hit.aims, hit.host_unit) == ("Kept aims", "Kept unit")
    assert HITProfileChange.objects.count() == 0
