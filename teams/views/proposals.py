"""The "Proposed memberships" page: the HIT's director (or a programme manager) confirms in one step
the memberships its accredited application proposed (docs/domain.md section 3.9).

A HIT the user may not see is a 404; who may see it but not manage its members gets a 403 with the
reason. Writes go through teams.services.proposals.proposals_confirm.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.idempotency import ALREADY_SUBMITTED_MESSAGE, AlreadySubmitted, once
from core.permissions import require as _require
from core.workflow import StaleState
from teams import permissions
from teams.forms.proposals import ProposalsForm, proposal_rows
from teams.selectors import hits as selectors
from teams.selectors import proposals as selectors_proposals
from teams.services import proposals as services


@login_required
@require_http_methods(["GET", "POST"])
def proposed_memberships(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_confirm_proposed_memberships(request.user, hit))
    pending = selectors_proposals.proposals_pending(hit=hit)
    data = request.POST if request.method == "POST" else None
    page = ProposalsForm(data, initial={"shown": ",".join(str(p.pk) for p in pending)})
    rows = proposal_rows(pending, data=data, user=request.user)
    here = reverse("teams:proposed-memberships", args=[hit.pk])
    members = reverse("teams:member-list", args=[hit.pk])
    if request.method == "POST" and page.is_valid():
        if page.shown_ids() != [p.pk for p in pending]:
            if page.is_repeat():
                messages.info(request, ALREADY_SUBMITTED_MESSAGE)
                return redirect(members)
            messages.error(
                request,
                "Someone confirmed or dismissed these proposals while the page was open, so nothing was "
                "saved. This page shows what is still to decide.",
            )
            return redirect(here)
        if all(row.form.is_valid() for row in rows):
            choices = [
                services.ProposalChoice(
                    proposal_id=row.proposal.pk,
                    include=row.form.cleaned_data["include"],
                    person_id=row.form.cleaned_data["person"].pk if row.form.cleaned_data["person"] else None,
                )
                for row in rows
            ]
            try:
                with once(page, user=request.user) as claim:
                    outcome = services.proposals_confirm(actor=request.user, hit_id=hit.pk, choices=choices)
                    claim.done(members)
            except ValidationError as exc:
                by_id = {str(row.proposal.pk): row.form for row in rows}
                for key, errors in exc.message_dict.items():
                    for error in errors:
                        if key in by_id:
                            by_id[key].add_error("person", error)
                        else:
                            page.add_error(None, error)
            except StaleState as stale:
                messages.error(request, str(stale))
                return redirect(here)
            except AlreadySubmitted as repeat:
                messages.info(request, str(repeat))
                return redirect(repeat.url or members)
            else:
                added, dismissed = len(outcome.confirmed), len(outcome.dismissed)
                messages.success(
                    request,
                    f"{added} membership{'s' if added != 1 else ''} added from the accredited application"
                    f"{f'; {dismissed} dismissed' if dismissed else ''}.",
                )
                return redirect(members)
    return render(
        request,
        "teams/proposed_memberships.html",
        {
            "hit": hit,
            "page_form": page,
            "rows": rows,
            "has_errors": bool(page.errors) or any(row.form.errors for row in rows),
            "decided": selectors_proposals.proposals_decided(hit=hit),
        },
    )
