"""The set-up checklist of a HIT (docs/domain.md section 3), and the programme manager's "Move to active".

The checklist is computed from the data; moving to active goes through
teams.services.hit_transition, which reporting.checklist.activation_guard (a receiver of
teams.signals.hit_transition_requested) refuses with the missing items while the checklist does not
hold.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.workflow import InvalidTransition
from reporting import permissions
from reporting import receivers as checklist
from reporting.selectors import reports as selectors
from teams import permissions as team_permissions
from teams.enums import HITStatus
from teams.selectors import proposals as team_proposals
from teams.services import hits as team_services


@login_required
@require_GET
def setup_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_for_reports(user=request.user, pk=pk)
    can_activate = permissions.can_activate(request.user, hit)
    return render(
        request,
        "reporting/setup_checklist.html",
        {
            "hit": hit,
            "checklist": checklist.checklist_for(hit),
            "is_set_up": hit.status == HITStatus.SET_UP,
            "can_activate": bool(can_activate) and hit.status == HITStatus.SET_UP,
            "can_open_hit": bool(team_permissions.can_view_hit(request.user, hit)),
            # Members the accredited application proposed, still to confirm (teams.services.proposals).
            "proposals_pending": (
                team_proposals.proposals_pending_count(hit_id=hit.pk)
                if team_permissions.can_confirm_proposed_memberships(request.user, hit)
                else 0
            ),
        },
    )


@login_required
@require_POST
def setup_activate(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_for_reports(user=request.user, pk=pk)
    verdict = permissions.can_activate(request.user, hit)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    try:
        team_services.hit_transition(
            actor=request.user,
            hit_id=hit.pk,
            action="activate",
            expected_status=request.POST.get("expected_status") or None,
        )
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "The HIT stays in set-up until every item of its checklist holds:")
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, f"{hit.name} is now active.")
    return redirect("reporting:setup-checklist", pk=hit.pk)
