"""The reporting schedule of a HIT: how often reports fall due, the first due date and the reminder
days. Programme managers set it; the HIT's members and board members read it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.concurrency import StaleEdit, conflict_for, version_of
from core.forms import apply_service_errors
from reporting import permissions
from reporting.forms.reports import ScheduleForm
from reporting.models import ReportSchedule
from reporting.selectors import reports as selectors
from reporting.services import schedules as services
from teams import permissions as team_permissions


@login_required
@require_http_methods(["GET", "POST"])
def report_schedule(request: HttpRequest, hit_pk: int) -> HttpResponse:
    hit = selectors.hit_for_reports(user=request.user, pk=hit_pk)
    verdict = permissions.can_manage_schedule(request.user, hit)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    schedule = selectors.schedule_of(hit)
    form = _schedule_form(request.POST if request.method == "POST" else None, schedule)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.schedule_save(
                actor=request.user,
                hit_id=hit.pk,
                interval_months=data["interval_months"],
                first_due_on=data["first_due_on"],
                reminder_offsets=data["reminder_offsets"],
                is_active=data["is_active"],
                expected_version=form.started_from,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except StaleEdit as stale:
            current = stale.current if stale.current.pk else None
            conflict = conflict_for(form, theirs=_schedule_form(None, current), current=stale.current)
        else:
            messages.success(request, "The reporting schedule was saved.")
            return redirect("reporting:report-schedule", hit_pk=hit.pk)
    return render(
        request,
        "reporting/report_schedule.html",
        {
            "hit": hit,
            "form": form,
            "schedule": schedule,
            "next": selectors.next_report_defaults(hit=hit) if schedule else None,
            "reports": list(selectors.hit_reports(hit=hit)[:20]),
            "can_open_hit": bool(team_permissions.can_view_hit(request.user, hit)),
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


def _schedule_form(data, schedule: ReportSchedule | None) -> ScheduleForm:
    """The schedule form, starting from the stored schedule (the defaults when the HIT has none)."""
    initial = (
        {
            "interval_months": schedule.interval_months,
            "first_due_on": schedule.first_due_on,
            "reminder_offsets": ", ".join(str(o) for o in schedule.reminder_offsets),
            "is_active": schedule.is_active,
        }
        if schedule
        else None
    )
    return ScheduleForm(data, initial=initial, version=version_of(schedule))
