"""Read-only representations of HITs, their stored scores and the portfolio figures.

The serializers only shape what the selectors already allowed; they never query on their own
(the HIT's host and current accreditation are joined by hitportal.api.selectors).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.domain.matrix import element_name, level_name
from engagement.domain.scoring import SPREAD_THRESHOLD, shown_percent, shown_score, shown_sd
from engagement.enums import Dimension, MaturityLevel
from engagement.models import CoverageScore, NetworkResult, ReadinessResult
from teams.models import HIT

# --- HITs --------------------------------------------------------------------------------------------


class AccreditationDatesSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


class HITLinksSerializer(serializers.Serializer):
    self = serializers.URLField(help_text="This HIT in the API.")
    scores = serializers.URLField(help_text="Its stored engagement, readiness and maturity scores.")
    page = serializers.URLField(help_text="Its page in the portal.")


def _absolute(request: Any, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def hit_links(hit: HIT, request: Any) -> dict[str, str]:
    return {
        "self": _absolute(request, reverse("api:hit-detail", args=[hit.pk])),
        "scores": _absolute(request, reverse("api:hit-scores", args=[hit.pk])),
        "page": _absolute(request, reverse("teams:hit-detail", args=[hit.pk])),
    }


class HITSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    stage_label = serializers.CharField(source="get_stage_display")
    host_organisation = serializers.SerializerMethodField()
    current_accreditation = serializers.SerializerMethodField(
        help_text="The accreditation whose dates include today, or null."
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = HIT
        fields = [
            "id",
            "name",
            "slug",
            "focus",
            "status",
            "status_label",
            "stage",
            "stage_label",
            "host_organisation",
            "current_accreditation",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The host organisation's name."))
    def get_host_organisation(self, hit: HIT) -> str | None:
        return hit.host_organisation.name if hit.host_organisation_id else None

    @extend_schema_field(AccreditationDatesSerializer(allow_null=True))
    def get_current_accreditation(self, hit: HIT) -> dict | None:
        # Prefetched by hitportal.api.selectors (to_attr), so no query per HIT.
        current = getattr(hit, "current_accreditations", [])
        if not current:
            return None
        return AccreditationDatesSerializer(current[0]).data

    @extend_schema_field(HITLinksSerializer)
    def get_links(self, hit: HIT) -> dict[str, str]:
        return hit_links(hit, self.context.get("request"))


class HITReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    links = serializers.SerializerMethodField()

    @extend_schema_field(HITLinksSerializer)
    def get_links(self, hit: HIT) -> dict[str, str]:
        return hit_links(hit, self.context.get("request"))


# --- Stored scores -----------------------------------------------------------------------------------


class GapSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    stressed = serializers.BooleanField(help_text="A typical blind spot, named with extra emphasis.")


class CoverageSerializer(serializers.ModelSerializer):
    category_depths = serializers.DictField(
        child=serializers.IntegerField(), help_text="Stakeholder category code -> maximum depth (0-3)."
    )
    gaps = GapSerializer(many=True)

    class Meta:
        model = CoverageScore
        fields = [
            "breadth",
            "degrees",
            "weighted",
            "leadership",
            "commissioner_in_leadership",
            "ppi_depth",
            "category_depths",
            "gaps",
            "computed_at",
            "fingerprint",
        ]
        read_only_fields = fields


class ReadinessDimensionSerializer(serializers.Serializer):
    """One dimension's overall result, rounded as every page shows it. A suppressed dimension (fewer
    than five counted respondents) carries only its name and `"suppressed": true`: none of its
    numbers, the stored n included. Results exist only for closed waves (released once)."""

    dimension = serializers.ChoiceField(choices=Dimension.choices)
    label = serializers.SerializerMethodField()
    suppressed = serializers.BooleanField()
    n = serializers.IntegerField(required=False, help_text="Counted respondents. Absent when suppressed.")
    score = serializers.IntegerField(
        required=False, allow_null=True, help_text="0-100, a whole number. Absent when suppressed."
    )
    sd = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="SD of the respondents' means, one decimal; null below 10 respondents. Absent when suppressed.",
    )
    pct_agree = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Whole percentage of respondents agreeing; null below 10 respondents. Absent when suppressed.",
    )
    level = serializers.ChoiceField(
        choices=MaturityLevel.choices,
        required=False,
        allow_null=True,
        help_text="Indicative maturity level. Absent when suppressed.",
    )
    level_label = serializers.CharField(required=False, help_text="Absent when suppressed.")

    def get_label(self, row: ReadinessResult) -> str:
        return Dimension(row.dimension).label

    def to_representation(self, row: ReadinessResult) -> dict:
        if row.suppressed:
            return {"dimension": row.dimension, "label": self.get_label(row), "suppressed": True}
        return {
            "dimension": row.dimension,
            "label": self.get_label(row),
            "suppressed": False,
            "n": row.n,
            "score": shown_score(row.score),
            "sd": shown_sd(row.sd) if row.n >= SPREAD_THRESHOLD else None,
            "pct_agree": shown_percent(row.pct_agree) if row.n >= SPREAD_THRESHOLD else None,
            "level": row.level,
            "level_label": level_name(row.level),
        }


class WaveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class ReadinessSerializer(serializers.Serializer):
    wave = WaveSerializer()
    computed_at = serializers.DateTimeField(allow_null=True)
    dimensions = ReadinessDimensionSerializer(many=True)


class ElementSerializer(serializers.Serializer):
    element = serializers.CharField()
    label = serializers.CharField()


class MaturityProfileSerializer(serializers.Serializer):
    """The profile of the latest maturity matrix assessment: median level and the weakest element(s),
    never an averaged single number."""

    assessed_on = serializers.DateField()
    median = serializers.SerializerMethodField()
    median_label = serializers.SerializerMethodField()
    weakest = serializers.SerializerMethodField()
    weakest_level = serializers.SerializerMethodField()
    weakest_level_label = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.NUMBER)
    def get_median(self, obj: Any) -> int | float | None:
        return obj.profile.median

    def get_median_label(self, obj: Any) -> str:
        return obj.profile.median_name

    @extend_schema_field(ElementSerializer(many=True))
    def get_weakest(self, obj: Any) -> list[dict[str, str]]:
        return [{"element": code, "label": element_name(code)} for code in obj.profile.weakest]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_weakest_level(self, obj: Any) -> int | None:
        return obj.profile.weakest_level

    def get_weakest_level_label(self, obj: Any) -> str:
        return obj.profile.weakest_level_name


class NetworkSummarySerializer(serializers.ModelSerializer):
    """A HIT's partnership network in figures: never an organisation's name or rating."""

    class Meta:
        model = NetworkResult
        fields = [
            "source",
            "as_of",
            "nodes",
            "ties",
            "density",
            "components",
            "articulation_points",
            "computed_at",
        ]
        read_only_fields = fields


class HITScoresSerializer(serializers.Serializer):
    hit = HITReferenceSerializer()
    coverage = CoverageSerializer(allow_null=True, help_text="The worker's stored engagement coverage.")
    readiness = ReadinessSerializer(
        allow_null=True,
        help_text="Overall results of the latest readiness wave with stored results; null if there are "
        "none, or if you may not see the HIT's readiness results.",
    )
    maturity = MaturityProfileSerializer(
        allow_null=True,
        help_text="The latest maturity matrix profile; null if there is none, or if you may not see "
        "the HIT's maturity matrix.",
    )
    network = NetworkSummarySerializer(
        allow_null=True,
        help_text="The partnership network's figures: from the latest closed network round (source "
        '"round"), else from who sits together in the HIT\'s groups ("co_membership"); null if none is '
        "stored, or if you may not see them (the HIT's members, programme managers and board members).",
    )


# --- Portfolio ---------------------------------------------------------------------------------------


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class StageCountSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class RoundFiguresSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    opens_on = serializers.DateField()
    eois_by_status = StatusCountSerializer(many=True)
    applications_by_status = StatusCountSerializer(many=True)


class CoverageFiguresSerializer(serializers.Serializer):
    hits_with_score = serializers.IntegerField(help_text="HITs not closed with a stored coverage score.")
    average_degrees = serializers.FloatField(allow_null=True)
    commissioner_in_leadership = serializers.IntegerField(
        help_text="HITs not closed with a commissioner in a leadership or decision role."
    )


class ConditionFiguresSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Open past their due date.")


class PortfolioSerializer(serializers.Serializer):
    as_of = serializers.DateField(help_text="The day overdue and renewal figures are counted from.")
    hits_total = serializers.IntegerField()
    hits_by_status = StatusCountSerializer(many=True)
    hits_by_stage = StageCountSerializer(many=True, help_text="HITs not closed, by life-cycle stage.")
    rounds = RoundFiguresSerializer(many=True)
    coverage = CoverageFiguresSerializer()
    overdue_reports = serializers.IntegerField(help_text="Progress reports past due and still with the team.")
    conditions = ConditionFiguresSerializer()
    renewals_due = serializers.IntegerField(
        help_text="Accreditations ending within the horizon that no later accreditation supersedes."
    )
    renewal_horizon_months = serializers.IntegerField()
