"""Pages of a HIT's life after accreditation: the public register, related HITs, documents,
meetings, the executive sponsor log, and suspension, reinstatement and closure.

Every HIT page starts with the access selector: a HIT the user may not see is a 404, and so are its
documents, meetings and sponsor log for those who see the HIT's page but not those records (board
members and PPI facilitators, docs/domain.md section 4); an action the user may see but not take is a
403 with the permission's reason. Writes go through
teams.services.lifecycle (or teams.services.hits.hit_transition for a status change); every successful
POST redirects. The register is the one public page: it needs no login and shows no person.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import DateField, DateInput
from core.idempotency import AlreadySubmitted, OnceOnlyFormMixin, once
from core.permissions import require as _require
from core.validators import LONG_TEXT, SHORT_TEXT
from core.workflow import InvalidTransition
from teams import permissions
from teams.domain import uploads
from teams.enums import ClosureReason, HITLinkKind, HITStatus, SponsorInteractionKind
from teams.forms.lookup import HITChoiceField, search_as
from teams.models import HIT, DocumentType, Person, WorkingGroup
from teams.permissions import (
    can_delete_link,
    can_log_sponsor_interaction,
    can_manage_links,
    can_record_meeting,
    can_upload_document,
)
from teams.selectors import hits as selectors
from teams.selectors import lifecycle as lifecycle_selectors
from teams.selectors.lifecycle import (
    AMBER_AFTER_DAYS,
    RED_AFTER_DAYS,
    closure_record,
    document_get_for_user,
    document_titles,
    hit_sponsors,
    link_candidates,
    link_get_for_user,
    register_entries,
    register_rows,
    sponsor_liveness,
)
from teams.services import hits as services
from teams.services import lifecycle as services_lifecycle

PAGE_SIZE = 50
REGISTER_PAGE_SIZE = 50


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _date_input() -> DateInput:
    return DateInput(attrs={"max": timezone.localdate().isoformat()})


def _apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError on the form: known fields next to the field, the rest on top."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        target = key if key in form.fields and not form.fields[key].widget.is_hidden else None
        for message in errors:
            form.add_error(target, message)


# --- Forms ---------------------------------------------------------------------------------------------


class UploadField(forms.FileField):
    """A file input that checks the content (teams.domain.uploads) and accepts PDF, DOCX and XLSX only."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", uploads.HELP_TEXT)
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = uploads.ACCEPT_ATTRIBUTE

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            uploads.check_upload(upload)
        return upload


class HITLinkForm(OnceOnlyFormMixin, forms.Form):
    to_hit = HITChoiceField(label="Related HIT", queryset=HIT.objects.none())
    kind = forms.ChoiceField(label="How are the two HITs related?", choices=HITLinkKind.choices)
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the two HITs do together, in a sentence or two.",
    )

    def __init__(self, *args, hit: HIT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_hit"].queryset = link_candidates(hit=hit)


class DocumentForm(OnceOnlyFormMixin, forms.Form):
    document_type = forms.ModelChoiceField(
        label="Type of document",
        queryset=DocumentType.objects.filter(is_active=True).order_by("position", "name"),
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Use the title of an earlier upload to add a new version of that document.",
    )
    file = UploadField(label="File")


class MeetingForm(OnceOnlyFormMixin, forms.Form):
    working_group = forms.ModelChoiceField(
        label="Working group",
        queryset=WorkingGroup.objects.none(),
        required=False,
        help_text="Leave empty for another group, and name it below.",
    )
    group_name = forms.CharField(
        label="Or another group",
        max_length=200,
        required=False,
        help_text="For example: management group, steering group.",
    )
    held_on = DateField(label="Date of the meeting")
    notes = forms.CharField(
        max_length=LONG_TEXT, label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, hit: HIT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["working_group"].queryset = hit.working_groups.order_by("name")
        self.fields["held_on"].widget = _date_input()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("working_group") and (data.get("group_name") or "").strip():
            self.add_error("group_name", "Choose a working group or name another group, not both.")
        elif not data.get("working_group") and not (data.get("group_name") or "").strip():
            self.add_error("group_name", "Say which group met: choose a working group or name the group.")
        held_on = data.get("held_on")
        if held_on and held_on > timezone.localdate():
            self.add_error("held_on", "The date of the meeting cannot be in the future.")
        return data


class SponsorInteractionForm(OnceOnlyFormMixin, forms.Form):
    sponsor = forms.ModelChoiceField(label="Executive sponsor", queryset=Person.objects.none())
    happened_on = DateField(label="Date")
    kind = forms.ChoiceField(label="Kind of contact", choices=SponsorInteractionKind.choices)
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was discussed or agreed.",
    )

    def __init__(self, *args, hit: HIT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sponsors = hit_sponsors(hit=hit)
        self.fields["sponsor"].queryset = sponsors
        self.fields["happened_on"].widget = _date_input()

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date of the contact cannot be in the future.")
        return day


class ReasonForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=SHORT_TEXT, label="Reason", widget=forms.Textarea(attrs={"rows": 4}))


def _what_continues_field() -> forms.CharField:
    return forms.CharField(
        max_length=LONG_TEXT,
        label="What continues",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The work, services or groups that carry on after the HIT closes; write “Nothing” if nothing does.",
    )


def _partners_leaving_field() -> forms.CharField:
    return forms.CharField(
        max_length=SHORT_TEXT,
        label="Partners leaving",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Organisations that leave the partnership's work with the HIT, and why.",
    )


class BeginClosureForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)
    closure_reason = forms.ChoiceField(
        label="Why is the HIT closing?", choices=[("", "Choose a reason"), *ClosureReason.choices]
    )
    merged_into = HITChoiceField(
        label="Merged into",
        queryset=HIT.objects.none(),
        required=False,
        help_text="The HIT that takes the work on.",
    )
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the HIT's status history.",
    )
    what_continues = _what_continues_field()
    partners_leaving = _partners_leaving_field()
    closure_report = UploadField(label="Closure report (optional)", required=False)

    def __init__(self, *args, hit: HIT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merged_into"].queryset = HIT.objects.exclude(pk=hit.pk).exclude(status=HITStatus.CLOSED)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("closure_reason") == ClosureReason.MERGED and not data.get("merged_into"):
            self.add_error("merged_into", "Name the HIT this one merges into.")
        if data.get("closure_reason") != ClosureReason.MERGED:
            data["merged_into"] = None
        return data


class FinalCloseForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the HIT's status history.",
    )
    what_continues = _what_continues_field()
    partners_leaving = _partners_leaving_field()
    closure_report = UploadField(
        label="Closure report (optional)",
        required=False,
        help_text=f"Adds a new version of the closure report. {uploads.HELP_TEXT}",
    )


# --- The public register -------------------------------------------------------------------------------


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """Accredited HITs for the public: name, focus, aims and accreditation dates, no people."""
    search = request.GET.get("q", "")[:100]
    page = _page(request, register_rows(search=search), REGISTER_PAGE_SIZE)
    return render(
        request,
        "teams/register.html",
        {"page": page, "entries": register_entries(page.object_list), "search": search},
    )


# --- Related HITs --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hit_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    _require(can_manage_links(request.user, hit))
    form = HITLinkForm(request.POST if request.method == "POST" else None, hit=hit)
    search_as(form, request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        back = reverse("teams:hit-detail", args=[hit.pk])
        try:
            with once(form, user=request.user) as claim:
                services_lifecycle.hit_link_create(
                    actor=request.user,
                    hit_id=hit.pk,
                    to_hit_id=data["to_hit"].pk,
                    kind=data["kind"],
                    note=data["note"],
                )
                claim.done(back)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or back)
        else:
            messages.success(request, f"{hit.name} is now linked to {data['to_hit'].name}.")
            return redirect("teams:hit-detail", pk=hit.pk)
    return render(request, "teams/lifecycle_link_form.html", {"hit": hit, "form": form})


@login_required
@require_POST
def hit_link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = link_get_for_user(user=request.user, pk=pk)
    _require(can_delete_link(request.user, link))
    # Back to the HIT page the user came from: whichever of the two HITs they can see.
    back = link.from_hit if permissions.can_view_hit(request.user, link.from_hit) else link.to_hit
    requested = request.POST.get("back")
    if requested and requested.isdigit() and int(requested) in (link.from_hit_id, link.to_hit_id):
        candidate = link.from_hit if int(requested) == link.from_hit_id else link.to_hit
        if permissions.can_view_hit(request.user, candidate):
            back = candidate
    services_lifecycle.hit_link_delete(actor=request.user, link_id=link.pk)
    messages.success(request, f"The link between {link.from_hit.name} and {link.to_hit.name} was removed.")
    return redirect("teams:hit-detail", pk=back.pk)


# --- Documents -----------------------------------------------------------------------------------------


@login_required
@require_GET
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk, may_see=permissions.can_view_documents)
    page = _page(request, lifecycle_selectors.document_list(hit=hit))
    return render(
        request,
        "teams/lifecycle_documents.html",
        {
            "hit": hit,
            "page": page,
            "can_upload": bool(can_upload_document(request.user, hit)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk, may_see=permissions.can_view_documents)
    _require(can_upload_document(request.user, hit))
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"title": request.GET.get("title", "")[:200]},
    )
    titles = document_titles(hit=hit)
    if titles:
        form.fields["title"].widget.attrs["list"] = "document-titles"  # the <datalist> on the page
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        documents = reverse("teams:document-list", args=[hit.pk])
        try:
            with once(form, user=request.user) as claim:
                document = services_lifecycle.document_upload(
                    actor=request.user,
                    hit_id=hit.pk,
                    document_type=data["document_type"],
                    title=data["title"],
                    upload=data["file"],
                )
                claim.done(documents)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or documents)
        else:
            messages.success(request, f"“{document.title}” was uploaded as version {document.version}.")
            return redirect("teams:document-list", pk=hit.pk)
    return render(
        request,
        "teams/lifecycle_document_form.html",
        {"hit": hit, "form": form, "titles": titles},
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = document_get_for_user(user=request.user, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is missing.") from None
    extension = uploads.EXTENSION_FOR_TYPE.get(document.content_type, "")
    filename = f"{slugify(document.title) or 'document'}-v{document.version}{extension}"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Meetings ------------------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk, may_see=permissions.can_view_meetings)
    page = _page(request, lifecycle_selectors.meeting_list(hit=hit))
    return render(
        request,
        "teams/lifecycle_meetings.html",
        {
            "hit": hit,
            "page": page,
            "can_record": bool(can_record_meeting(request.user, hit)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk, may_see=permissions.can_view_meetings)
    _require(can_record_meeting(request.user, hit))
    form = MeetingForm(request.POST if request.method == "POST" else None, hit=hit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meetings = reverse("teams:meeting-list", args=[hit.pk])
        try:
            with once(form, user=request.user) as claim:
                services_lifecycle.meeting_create(
                    actor=request.user,
                    hit_id=hit.pk,
                    held_on=data["held_on"],
                    notes=data["notes"],
                    working_group=data["working_group"],
                    group_name=data["group_name"],
                )
                claim.done(meetings)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or meetings)
        else:
            messages.success(request, "The meeting was recorded.")
            return redirect("teams:meeting-list", pk=hit.pk)
    return render(request, "teams/lifecycle_meeting_form.html", {"hit": hit, "form": form})


# --- The executive sponsor log -------------------------------------------------------------------------


@login_required
@require_GET
def sponsor_log(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk, may_see=permissions.can_view_sponsor_log)
    page = _page(request, lifecycle_selectors.sponsor_log(hit=hit))
    return render(
        request,
        "teams/lifecycle_sponsor_log.html",
        {
            "hit": hit,
            "page": page,
            "liveness": sponsor_liveness(hit=hit),
            "amber_after_days": AMBER_AFTER_DAYS,
            "red_after_days": RED_AFTER_DAYS,
            "can_log": bool(can_log_sponsor_interaction(request.user, hit)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sponsor_interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk, may_see=permissions.can_view_sponsor_log)
    _require(can_log_sponsor_interaction(request.user, hit))
    own_person = getattr(request.user, "person", None)
    initial = {"happened_on": timezone.localdate()}
    form = SponsorInteractionForm(
        request.POST if request.method == "POST" else None, hit=hit, initial=initial
    )
    sponsors = list(form.fields["sponsor"].queryset)
    if len(sponsors) == 1:
        form.initial["sponsor"] = sponsors[0].pk
    elif own_person is not None and own_person in sponsors:
        form.initial["sponsor"] = own_person.pk
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        log = reverse("teams:sponsor-log", args=[hit.pk])
        try:
            with once(form, user=request.user) as claim:
                services_lifecycle.sponsor_interaction_create(
                    actor=request.user,
                    hit_id=hit.pk,
                    sponsor_id=data["sponsor"].pk,
                    happened_on=data["happened_on"],
                    kind=data["kind"],
                    note=data["note"],
                )
                claim.done(log)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except AlreadySubmitted as repeat:
            messages.info(request, str(repeat))
            return redirect(repeat.url or log)
        else:
            messages.success(request, "The contact with the executive sponsor was logged.")
            return redirect("teams:sponsor-log", pk=hit.pk)
    return render(
        request,
        "teams/lifecycle_sponsor_form.html",
        {"hit": hit, "form": form, "has_sponsor": bool(sponsors)},
    )


# --- Suspension, reinstatement and closure (programme managers) ----------------------------------------

_REASON_PAGES = {
    "suspend": {
        "title": "Suspend",
        "intro": "A suspended HIT keeps its records but is no longer active. It can be reinstated later.",
        "button": "Suspend the HIT",
        "done": "The HIT was suspended.",
        "danger": True,
    },
    "reinstate": {
        "title": "Reinstate",
        "intro": "Reinstating makes the HIT active again.",
        "button": "Reinstate the HIT",
        "done": "The HIT was reinstated.",
        "danger": False,
    },
}


def _status_page(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_change_hit_status(request.user, hit))
    page = _REASON_PAGES[action]
    source = HITStatus.ACTIVE if action == "suspend" else HITStatus.SUSPENDED
    form = ReasonForm(
        request.POST if request.method == "POST" else None, initial={"expected_status": hit.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hit_transition(
                actor=request.user,
                hit_id=hit.pk,
                action=action,
                reason=form.cleaned_data["reason"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except InvalidTransition as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, page["done"])
            return redirect("teams:hit-detail", pk=hit.pk)
    return render(
        request,
        "teams/lifecycle_status_form.html",
        {
            "hit": hit,
            "form": form,
            "page_text": page,
            "possible": hit.status == source,
            "source_label": HITStatus(source).label.lower(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hit_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_page(request, pk, "suspend")


@login_required
@require_http_methods(["GET", "POST"])
def hit_reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_page(request, pk, "reinstate")


@login_required
@require_http_methods(["GET", "POST"])
def hit_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Begin closure (set-up, active or suspended HITs), then close (closing HITs), with the record."""
    hit = selectors.hit_get_for_user(user=request.user, pk=pk)
    _require(permissions.can_change_hit_status(request.user, hit))
    record = closure_record(hit=hit)
    final = hit.status == HITStatus.CLOSING
    possible = final or hit.status in (HITStatus.SET_UP, HITStatus.ACTIVE, HITStatus.SUSPENDED)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    initial = {"expected_status": hit.status}
    if record is not None:
        initial.update(what_continues=record.what_continues, partners_leaving=record.partners_leaving)
    form = (
        FinalCloseForm(data, files, initial=initial)
        if final
        else BeginClosureForm(data, files, initial=initial, hit=hit)
    )
    search_as(form, request.user)
    if request.method == "POST" and possible and form.is_valid():
        values = form.cleaned_data
        common = {
            "actor": request.user,
            "hit_id": hit.pk,
            "reason": values["reason"],
            "what_continues": values["what_continues"],
            "partners_leaving": values["partners_leaving"],
            "report": values["closure_report"] or None,
            "expected_status": values["expected_status"],
        }
        try:
            if final:
                services_lifecycle.hit_close(**common)
            else:
                services_lifecycle.hit_closure_begin(
                    **common, closure_reason=values["closure_reason"], merged_into=values["merged_into"]
                )
        except InvalidTransition as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The HIT was closed." if final else "The HIT is now closing.")
            return redirect("teams:hit-detail", pk=hit.pk)
    elif request.method == "POST" and not possible:
        form.add_error(None, f"A HIT that is {hit.get_status_display().lower()} cannot be closed.")
    return render(
        request,
        "teams/lifecycle_close.html",
        {"hit": hit, "form": form, "final": final, "possible": possible, "record": record},
    )
