"""The collaboration life-cycle stage of a HIT (docs/domain.md R6.6, F15): tick the behaviours seen,
see the suggested stage, confirm one; and the history of those assessments.

"Suggest" re-renders the page with the F15 suggestion and stores nothing; "Confirm" stores the
assessment and sets the HIT's stage.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import apply_service_errors
from core.idempotency import AlreadySubmitted, once
from reporting import permissions
from reporting.domain import lifecycle
from reporting.forms.stages import StageForm
from reporting.selectors import stages as stages_selectors
from reporting.selectors.reports import hit_for_reports
from reporting.selectors.stages import latest_stage_assessment
from reporting.services import stages as services
from teams import permissions as team_permissions
from teams.enums import LifecycleStage


def _shares(ticked) -> list[tuple[str, int]]:
    return [
        (LifecycleStage(stage).label, round(share * 100)) for stage, share in lifecycle.shares(ticked).items()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def stage_assess(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = hit_for_reports(user=request.user, pk=hit_pk)
    verdict = permissions.can_assess_stage(request.user, hit)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    latest = latest_stage_assessment(hit=hit)
    ticked = list(latest.behaviours) if latest else []
    suggestion = lifecycle.suggest_stage(ticked)
    form = StageForm(initial={"behaviours": ticked, "confirmed_stage": suggestion or hit.stage})
    if request.method == "POST":
        form = StageForm(request.POST)
        if form.is_valid():
            ticked = form.cleaned_data["behaviours"]
            suggestion = lifecycle.suggest_stage(ticked)
            if request.POST.get("step") == "confirm":
                if not form.cleaned_data["confirmed_stage"]:
                    form.add_error("confirmed_stage", "Choose the stage you confirm.")
                else:
                    history = reverse("reporting:stage-history", kwargs={"hit_pk": hit.pk})
                    try:
                        with once(form, user=request.user) as claim:
                            services.stage_assessment_record(
                                actor=request.user,
                                hit_id=hit.pk,
                                behaviours=ticked,
                                confirmed_stage=form.cleaned_data["confirmed_stage"],
                                note=form.cleaned_data["note"],
                            )
                            claim.done(history)
                    except ValidationError as exc:
                        apply_service_errors(form, exc)
                    except AlreadySubmitted as repeat:
                        messages.info(request, str(repeat))
                        return redirect(repeat.url or history)
                    else:
                        stage = LifecycleStage(form.cleaned_data["confirmed_stage"]).label.lower()
                        messages.success(request, f"The life-cycle stage was confirmed as {stage}.")
                        return redirect("reporting:stage-history", hit_pk=hit.pk)
            else:
                # Suggest: show the F15 suggestion and preselect it, store nothing.
                data = request.POST.copy()
                data["confirmed_stage"] = suggestion or data.get("confirmed_stage", "")
                form = StageForm(data)
                form.is_valid()
    return render(
        request,
        "reporting/stage_assess.html",
        {
            "hit": hit,
            "form": form,
            "suggestion": LifecycleStage(suggestion).label if suggestion else None,
            "shares": _shares(ticked),
            "threshold": round(lifecycle.THRESHOLD * 100),
            "latest": latest,
            "can_open_hit": bool(team_permissions.can_view_hit(request.user, hit)),
        },
    )


@login_required
@require_GET
def stage_history(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = hit_for_reports(user=request.user, pk=hit_pk)
    rows = list(stages_selectors.stage_history(hit=hit))
    for row in rows:
        row.behaviour_texts = [lifecycle.BY_CODE[c].text for c in row.behaviours if c in lifecycle.BY_CODE]
    return render(
        request,
        "reporting/stage_history.html",
        {
            "hit": hit,
            "rows": rows,
            "can_assess": bool(permissions.can_assess_stage(request.user, hit)),
            "can_open_hit": bool(team_permissions.can_view_hit(request.user, hit)),
        },
    )
