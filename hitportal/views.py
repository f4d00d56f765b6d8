"""Project-level pages: the role-aware home page, the profile page, the password pages' API token
replacement and the error pages."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, ValidationError
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_http_methods

from accreditation import permissions as accreditation_permissions
from accreditation.enums import (
    ApplicationStatus,
    ConditionStatus,
    ConflictDeclaration,
    ConflictResolution,
    EOIStatus,
    ReviewStatus,
)
from accreditation.models import (
    Accreditation,
    Application,
    Condition,
    ExpressionOfInterest,
    PanelMember,
    ReviewAssignment,
    Round,
)
from accreditation.workflow import FINAL_APPLICATION_STATES
from core import throttle, versions
from core.validators import LONG_TEXT, SHORT_TEXT
from engagement.enums import ActionStatus
from engagement.models import ActionPlanItem
from engagement.selectors import ppi as selectors_ppi
from hitportal.api import services as api_services
from hitportal.forms import SignupForm
from hitportal.home_sources import home_sources
from reporting.selectors import flags as reporting_flags
from reporting.selectors import home as reporting_selectors
from reporting.views import home as reporting_home
from teams.domain import uploads
from teams.enums import HITStatus, LifecycleStage, MembershipRole, Role
from teams.models import HIT
from teams.roles import AnyUser, UserRoles, roles_of
from teams.selectors import hits as selectors
from teams.services import accounts

#: How many HITs each of the PPI facilitators' lists shows on their home page (the rest: their caseload page).
PPI_SHOWN = 10


def _status_counts() -> list[tuple[str, str, int]]:
    counts = dict(HIT.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in HITStatus.choices]


#: The name of the home page's cached part (core.versions).
HOME_PART = "home"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs each of the user's roles' attention next; nothing at all for a user with no role.

    Drawn once per version of what it shows (core.versions, over home_sources), day and viewer, and kept
    in the cache: the scope holds the user and their roles, so one user's home is never served to
    another, and a new role or membership draws it afresh. An edit or a deletion of a row it reads shows
    at the next request. A query string (the page reads none) draws it afresh and keeps nothing."""
    roles = roles_of(request.user)
    today = timezone.localdate()
    # The viewer's own row (their name heads the page) is in the scope; the rest in the version.
    viewer = (request.user.pk, getattr(request.user, "updated_at", None))
    body = versions.cached_render(
        request,
        name=HOME_PART,
        scope=repr((viewer, _roles_key(roles))),
        sources=home_sources(roles),
        render=lambda extra: _home_body(request, roles, today, extra),
        params=(),
    )
    return render(request, "home.html", {"home_body": mark_safe(body)})  # noqa: S308 - our own rendering


def _roles_key(roles: UserRoles) -> str:
    return repr(
        (
            sorted(roles.roles),
            sorted((hit_id, sorted(hit_roles)) for hit_id, hit_roles in roles.hit_roles.items()),
            sorted(roles.panel_ids),
            sorted(roles.chair_round_ids),
        )
    )


def _home_body(
    request: HttpRequest, roles: UserRoles, today: datetime.date, extra: dict | None = None
) -> str:
    user = request.user
    ctx: dict = {"roles": roles, "role_labels": [Role(r).label for r in sorted(roles.roles)], **(extra or {})}

    if roles.has(Role.PROGRAMME_MANAGER, Role.BOARD_MEMBER):
        ctx["status_counts"] = _status_counts()
    if roles.has(Role.BOARD_MEMBER):
        ctx["stage_counts"] = _stage_counts()
    if roles.has(Role.PROGRAMME_MANAGER):
        ctx.update(_programme_manager_attention(request, today))
    if roles.has(Role.PPI_FACILITATOR):
        ctx.update(_ppi_facilitator_attention(today))
    if roles.hit_ids:
        ctx.update(_member_attention(user, roles, today))
    if roles.panel_ids:
        ctx["my_panels"] = list(
            PanelMember.objects.filter(user=user)
            .select_related("panel", "panel__round")
            .order_by("-panel__round__opens_on")
        )
    ctx.update(_accreditation_attention(user, roles, today))
    if roles.has(Role.APPLICANT, Role.HIT_DIRECTOR, Role.PROGRAMME_MANAGER):
        ctx["open_rounds"] = list(
            Round.objects.filter(opens_on__lte=today, application_deadline__gte=today).order_by(
                "eoi_deadline"
            )
        )
    return loader.render_to_string("_home_body.html", ctx, request=request)


def _stage_counts() -> list[tuple[str, int]]:
    """HITs not closed by life-cycle stage, every stage listed (the board's view)."""
    stage_counts = dict(
        HIT.objects.exclude(status=HITStatus.CLOSED).order_by().values_list("stage").annotate(n=Count("pk"))
    )
    return [(label, stage_counts.get(value, 0)) for value, label in LifecycleStage.choices]


def _programme_manager_attention(request: HttpRequest, today: datetime.date) -> dict:
    """Reporting's panels (drawn once per version of what they show, and cached), HITs in set-up, and
    live HITs missing a director or working-group leads."""
    ctx: dict = {"pm_reporting_html": reporting_home.pm_home_html(request)}
    ctx["setup_hits"] = list(HIT.objects.filter(status=HITStatus.SET_UP).order_by("status_changed_at")[:10])
    live = HIT.objects.exclude(status=HITStatus.CLOSED)
    directed = selectors.current_memberships(today).filter(role=MembershipRole.DIRECTOR).values("hit_id")
    ctx["hits_without_director"] = list(live.exclude(pk__in=directed).order_by("name")[:10])
    live_ids = live.filter(status__in=[HITStatus.SET_UP, HITStatus.ACTIVE]).values_list("pk", flat=True)
    ctx["groups_missing_leads"] = _named_hits(selectors.working_groups_missing_leads(hit_ids=live_ids))
    return ctx


def _ppi_facilitator_attention(today: datetime.date) -> dict:
    """HITs without a PPI lead (the first PPI_SHOWN), the facilitators' support queue and the HITs
    whose PPI log has gone quiet (the caseload's flag, as the worker stored it with the
    early-warning flags: never computed on the page)."""
    with_ppi_lead = selectors.current_memberships(today).filter(role=MembershipRole.PPI_LEAD).values("hit_id")
    without_lead = HIT.objects.exclude(status=HITStatus.CLOSED).exclude(pk__in=with_ppi_lead)
    shown = list(without_lead.order_by("name")[:PPI_SHOWN])
    quiet = reporting_flags.stored_ppi_quiet(limit=PPI_SHOWN)
    return {
        "hits_without_ppi_lead": shown,
        "hits_without_ppi_lead_total": without_lead.count() if len(shown) == PPI_SHOWN else len(shown),
        "support_queue": list(selectors_ppi.open_support_requests()[:PPI_SHOWN]),
        "ppi_quiet_hits": quiet.rows,
        "ppi_quiet_total": quiet.total,
        "ppi_quiet_not_computed": quiet.not_computed,
        "ppi_quiet_as_of": quiet.oldest,
    }


def _member_attention(user: AnyUser, roles: UserRoles, today: datetime.date) -> dict:
    """Reporting's panels for the user's HITs, the HITs with the user's roles in them, the
    action-plan items they own, and the working groups missing leads in the HITs they direct."""
    ctx: dict = {"member_reporting": reporting_selectors.member_home_panels(user)}
    my_hits = list(HIT.objects.filter(pk__in=roles.hit_ids).order_by("name"))
    ctx["my_hits"] = [
        (hit, sorted(MembershipRole(r).label for r in roles.hit_roles[hit.pk])) for hit in my_hits
    ]
    # Action-plan items the user owns in their HITs, not yet done or dropped.
    ctx["my_actions"] = list(
        ActionPlanItem.objects.filter(
            owner__user=user,
            hit_id__in=roles.hit_ids,
            status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS],
        )
        .select_related("hit")
        .order_by("due_on", "pk")[:20]
    )
    for item in ctx["my_actions"]:
        item.overdue = item.due_on < today
    directed_ids = [
        hit_id
        for hit_id, hit_roles in roles.hit_roles.items()
        if hit_roles & {MembershipRole.DIRECTOR, MembershipRole.CO_DIRECTOR}
    ]
    if directed_ids:
        ctx["my_groups_missing_leads"] = _named_hits(
            selectors.working_groups_missing_leads(hit_ids=directed_ids)
        )
    return ctx


def _accreditation_attention(user: AnyUser, roles: UserRoles, today: datetime.date) -> dict:
    """What the accreditation workflow asks of this user next (a fixed number of queries)."""
    ctx: dict = {}
    is_pm = roles.has(Role.PROGRAMME_MANAGER)
    if is_pm or roles.chair_round_ids:
        in_rounds = Q() if is_pm else Q(round_id__in=roles.chair_round_ids)
        ctx["eois_to_decide"] = list(
            ExpressionOfInterest.objects.filter(in_rounds, status=EOIStatus.SUBMITTED)
            .select_related("round", "author")
            .order_by("submitted_at")[:20]
        )
        ctx["applications_for_panel"] = list(
            Application.objects.filter(
                in_rounds, status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
            )
            .select_related("hit", "round")
            .order_by("status_changed_at")[:20]
        )
        ctx["conflicts_waiting"] = list(
            ReviewAssignment.objects.filter(
                Q(application__round_id__in=roles.chair_round_ids),
                Q(resolution=ConflictResolution.OPEN),
                ~Q(flagged_organisations="") | Q(declaration=ConflictDeclaration.DECLARED),
            )
            .select_related("reviewer", "application__hit")
            .order_by("pk")[:20]
        )
    if is_pm:
        ctx["overdue_conditions"] = Condition.objects.filter(closed_at__isnull=True, due_on__lt=today).count()
        ctx["renewals_due"] = list(
            Accreditation.objects.filter(
                valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=183)
            )
            .select_related("hit")
            .order_by("valid_until")[:20]
        )
    if roles.has(Role.REVIEWER, Role.LAY_REVIEWER):
        ctx["my_assignments"] = list(
            ReviewAssignment.objects.filter(reviewer=user, application__status=ApplicationStatus.UNDER_REVIEW)
            .exclude(resolution=ConflictResolution.RECUSED)
            .exclude(review__status=ReviewStatus.SUBMITTED, review__revision_number=F("application__version"))
            .select_related("application__hit", "application__round")
            .order_by("due_on", "pk")[:20]
        )
    if roles.hit_ids:
        ctx["my_applications"] = list(
            Application.objects.filter(hit_id__in=roles.hit_ids)
            .exclude(status__in=sorted(FINAL_APPLICATION_STATES))
            .select_related("hit", "round")
            .order_by("-updated_at")
        )
        # The open conditions of the user's HITs' accreditations, and those the user owns anywhere.
        ctx["my_conditions"] = list(
            Condition.objects.filter(closed_at__isnull=True)
            .filter(Q(decision__application__hit_id__in=roles.hit_ids) | Q(owner__user=user))
            .select_related("decision__application__hit", "owner")
            .order_by("due_on", "pk")[:20]
        )
        for condition in ctx["my_conditions"]:
            condition.overdue = condition.due_on < today
            condition.is_mine = condition.owner.user_id == user.pk
            condition.can_close = condition.status == ConditionStatus.OPEN and bool(
                accreditation_permissions.can_close_condition(user, condition)
            )
        # Accreditations of the user's HITs ending within six months: time to start the renewal.
        ctx["my_renewals"] = list(
            Accreditation.objects.filter(
                hit_id__in=roles.hit_ids,
                valid_until__gte=today,
                valid_until__lte=today + datetime.timedelta(days=183),
            )
            .select_related("hit", "application")
            .order_by("valid_until")
        )
        for accreditation in ctx["my_renewals"]:
            accreditation.can_renew = bool(accreditation_permissions.can_start_renewal(user, accreditation))
    return ctx


def _named_hits(missing: dict[int, list[str]]) -> list[tuple[HIT, list[str]]]:
    hits = HIT.objects.in_bulk(list(missing))
    return sorted(
        ((hits[hit_id], groups) for hit_id, groups in missing.items()), key=lambda pair: pair[0].name
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name})
    if request.method == "POST" and form.is_valid():
        user.full_name = form.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name", "updated_at"])
        messages.success(request, "Your profile was saved.")
        return redirect("profile")
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    affiliations = list(person.affiliations.select_related("organisation")) if person else []
    memberships = (
        list(selectors.current_memberships().filter(person=person).select_related("hit", "working_group"))
        if person
        else []
    )
    roles = roles_of(user)
    return render(
        request,
        "profile.html",
        {
            "form": form,
            "person": person,
            "affiliations": affiliations,
            "memberships": memberships,
            "role_labels": [Role(r).label for r in sorted(roles.roles)],
        },
    )


# --- Sign-up: an applicant's own account, activated from an e-mailed link -------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """The sign-up form. A valid form always ends on the "check your email" page, whether or not the
    address already had a login (teams.services.accounts.account_register e-mails the difference)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if throttle.signup_refused_for_ip(throttle.client_ip(request)):
            form.add_error(
                None,
                "Too many accounts were requested from your network. Try again in an hour, "
                "or ask the programme team for help.",
            )
        else:
            data = form.cleaned_data
            if not throttle.signup_silenced_for_email(data["email"]):
                accounts.account_register(
                    full_name=data["full_name"], email=data["email"], password=data["password1"]
                )
            return redirect("signup_sent")
    return render(request, "registration/signup_form.html", {"form": form})


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The e-mailed link: a page asking for the password chosen at registration (so a mail scanner
    opening the link activates nothing, and nobody activates a login someone else registered with
    their address); the right password activates the account, signs its owner in and shows the open
    rounds."""
    user = accounts.verification_user(uidb64=uidb64, token=token)
    password_error = ""
    if user is not None and request.method == "POST":
        try:
            user = accounts.account_verify(user=user, token=token, password=request.POST.get("password", ""))
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "password" in exc.error_dict:
                password_error = accounts.ACTIVATION_REFUSED
            else:
                user = None
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                "Your account is active. Choose an open round to send an expression of interest.",
            )
            return redirect("accreditation:round-list")
    return render(
        request,
        "registration/signup_verify.html",
        {
            "validlink": user is not None,
            "link_not_valid": accounts.LINK_NOT_VALID,
            "password_error": password_error,
        },
    )


class ApiTokenReplacementMixin:
    """A new password means a new API token: the old one is refused from now on
    (hitportal/api/authentication.py), so the user gets its replacement at once and is told where."""

    request: HttpRequest

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response = super().form_valid(form)  # type: ignore[misc]
        if api_services.token_replace_after_password_change(actor=form.user) is not None:
            messages.info(
                self.request,
                "Your API token was replaced, as the old one stopped working with your old password. "
                "Copy the new one from “Your API token” on your profile into your scripts.",
            )
        return response


class PasswordChangeView(ApiTokenReplacementMixin, auth_views.PasswordChangeView):
    pass


class PasswordResetConfirmView(ApiTokenReplacementMixin, throttle.UnlockingPasswordResetConfirmView):
    pass


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


# What Django refuses before any view runs: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, or too many
# fields or files. The user can act on these, so the page says how.
TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {
        "too_large": isinstance(exception, TOO_LARGE),
        "upload_limit": f"{uploads.MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
        "long_text": f"{LONG_TEXT:,}",
        "short_text": f"{SHORT_TEXT:,}",
    }
    if not hasattr(request, "user"):
        # Refused before sign-in was read (a bad Host header): the page, without per-user navigation.
        body = loader.render_to_string("400.html", {**context, "site_name": settings.HITPORTAL_SITE_NAME})
        return HttpResponseBadRequest(body)
    return render(request, "400.html", context, status=400)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"site_name": "HIT Portal"}), status=500)
