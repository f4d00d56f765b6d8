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
