from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from teams import models


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "granted_by", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "granted_by"]


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "code"]


@admin.register(models.StakeholderCategory)
class StakeholderCategoryAdmin(VocabularyAdmin):
    list_display = [*VocabularyAdmin.list_display, "weight", "counts_toward_coverage"]
    list_editable = [*VocabularyAdmin.list_editable, "weight", "counts_toward_coverage"]


@admin.register(models.OrganisationType)
class OrganisationTypeAdmin(VocabularyAdmin):
    list_display = [*VocabularyAdmin.list_display, "sector", "default_category", "is_mental_health"]
    list_filter = ["sector"]
    list_select_related = ["default_category"]


admin.site.register(models.Theme, VocabularyAdmin)
admin.site.register(models.DocumentType, VocabularyAdmin)
admin.site.register(models.OutcomeDomain, VocabularyAdmin)


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_type", "is_programme_partner", "parent", "is_active"]
    list_filter = ["org_type__sector", "org_type", "is_programme_partner", "is_active"]
    search_fields = ["name", "short_name"]
    list_select_related = ["org_type", "parent"]
    autocomplete_fields = ["parent"]


class AffiliationInline(admin.TabularInline):
    model = models.Affiliation
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "is_public_member", "user"]
    list_filter = ["is_public_member"]
    search_fields = ["full_name", "email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    inlines = [AffiliationInline]


class WorkingGroupInline(admin.TabularInline):
    model = models.WorkingGroup
    extra = 0


class HITStatusChangeInline(admin.TabularInline):
    model = models.HITStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "action", "from_status", "to_status", "comment", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.HIT)
class HITAdmin(admin.ModelAdmin):
    list_display = ["name", "focus", "status", "stage", "host_organisation", "is_illustrative"]
    list_filter = ["status", "stage", "is_illustrative"]
    search_fields = ["name", "focus"]
    prepopulated_fields = {"slug": ["name"]}
    # Status moves only through the workflow service, so the record of who moved it stays whole.
    readonly_fields = ["status", "status_changed_at", "closure_reason", "merged_into"]
    list_select_related = ["host_organisation"]
    autocomplete_fields = ["host_organisation"]
    inlines = [WorkingGroupInline, HITStatusChangeInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "hit", "role", "working_group", "lead_side", "start_date", "end_date"]
    list_filter = ["role", "lead_side"]
    search_fields = ["person__full_name", "hit__name"]
    list_select_related = ["person", "hit", "working_group"]
    autocomplete_fields = ["person", "hit", "organisation"]


@admin.register(models.PortfolioSnapshot)
class PortfolioSnapshotAdmin(admin.ModelAdmin):
    list_display = ["taken_on", "hits_total"]


@admin.register(models.RecoveryCode)
class RecoveryCodeAdmin(admin.ModelAdmin):
    """Only to delete a login's recovery codes (resetting a lost second factor); a code is never shown,
    its row holds only a salted hash."""

    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
