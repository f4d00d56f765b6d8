from django.contrib import admin

from accreditation import models


class PanelMemberInline(admin.TabularInline):
    model = models.PanelMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "opens_on", "eoi_deadline", "application_deadline", "reviewers_per_application"]
    search_fields = ["name"]


@admin.register(models.Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ["name", "round"]
    list_select_related = ["round"]
    inlines = [PanelMemberInline]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EOIPartnerInline(admin.TabularInline):
    model = models.EOIPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class EOIEventInline(ReadOnlyInline):
    model = models.EOIEvent


@admin.register(models.ExpressionOfInterest)
class ExpressionOfInterestAdmin(admin.ModelAdmin):
    list_display = ["working_title", "round", "author", "status", "submitted_at"]
    list_filter = ["status", "round"]
    search_fields = ["working_title"]
    list_select_related = ["round", "author"]
    # Status moves only through the workflow service, so every move stays recorded.
    readonly_fields = ["status", "submitted_at", "decided_by", "decided_at", "hit"]
    inlines = [EOIPartnerInline, EOIEventInline]


class ApplicationEventInline(ReadOnlyInline):
    model = models.ApplicationEvent


class RevisionInline(ReadOnlyInline):
    model = models.Revision
    fields = ["number", "submitted_by", "submitted_at", "organisation_count", "category_count"]


@admin.register(models.Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["hit", "round", "kind", "status", "version", "submitted_at"]
    list_filter = ["status", "kind", "round"]
    search_fields = ["hit__name"]
    list_select_related = ["hit", "round"]
    readonly_fields = ["status", "version", "submitted_at", "sponsor_confirmed_at", "sponsor_confirmed_for"]
    inlines = [RevisionInline, ApplicationEventInline]


@admin.register(models.ReviewAssignment)
class ReviewAssignmentAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "is_lay", "due_on", "declaration", "resolution"]
    list_filter = ["declaration", "resolution", "is_lay"]
    list_select_related = ["application__hit", "reviewer"]


@admin.register(models.Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["application", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["application__hit", "decided_by"]
    readonly_fields = ["application", "revision_number", "outcome", "rationale", "decided_by", "decided_at"]


@admin.register(models.Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["text", "owner", "due_on", "closed_at"]
    list_select_related = ["owner"]


@admin.register(models.Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    list_display = ["hit", "valid_from", "valid_until", "reminded_6_months_at", "reminded_1_month_at"]
    list_select_related = ["hit"]
    readonly_fields = ["hit", "application", "decision"]
