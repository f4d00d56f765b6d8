"""The read-only JSON API and its two HTML pages (how to use it, and the user's token).

Every endpoint answers GET only (other methods: 405) and applies the pages' own rules: a HIT the
user may not see is a 404, a list or figures the user may not have is a 403 with the reason in
"detail", an anonymous caller gets 401 (TokenAuthentication, the first authenticator, names the
scheme in WWW-Authenticate). The HIT list is a generic view because it removes real boilerplate
(pagination, filters and their schema); the rest are function views.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from hitportal.api import permissions, selectors, serializers, services
from hitportal.api.authentication import token_is_current
from hitportal.api.filters import HITApiFilter
from hitportal.api.pagination import MAX_PAGE_SIZE

NOT_FOUND = OpenApiResponse(description="No such HIT, or you may not see it.")
REFUSED = OpenApiResponse(description="You may not have this; the reason is in `detail`.")
UNAUTHENTICATED = OpenApiResponse(description="No valid token or session.")


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema as JSON, for signed-in users only (drf-spectacular serves it to anyone
    by default). No Swagger or Redoc page: they load scripts from a CDN, which our CSP forbids."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer]


@extend_schema(
    summary="HITs you may see",
    description="Every HIT for programme managers, board members and PPI facilitators; a member's "
    "own HITs otherwise. Users who belong to no HIT are refused (403), as on the HIT list page.",
    responses={
        200: serializers.HITSerializer(many=True),
        400: OpenApiResponse(description="A filter's value is not one of its choices; the field is named."),
        401: UNAUTHENTICATED,
        403: REFUSED,
    },
)
class HITListView(generics.ListAPIView):
    serializer_class = serializers.HITSerializer
    permission_classes = [IsAuthenticated, permissions.CanListHits]
    filter_backends = [DjangoFilterBackend]
    filterset_class = HITApiFilter

    def get_queryset(self):
        return selectors.hit_list_for_api(user=self.request.user)


@extend_schema(
    summary="One HIT",
    responses={200: serializers.HITSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
)
@api_view(["GET"])
def hit_detail(request: Request, pk: int) -> Response:
    hit = selectors.hit_for_api(user=request.user, pk=pk)
    return Response(serializers.HITSerializer(hit, context={"request": request}).data)


@extend_schema(
    summary="A HIT's stored scores",
    description="The worker's stored engagement coverage; the overall results of the latest readiness "
    "wave with stored results (a dimension with fewer than five counted respondents is "
    '`{"suppressed": true}` with no numbers; organisation and role groups and single responses are '
    "never given); and the latest maturity matrix profile. Visible to whoever may see the HIT's "
    "coverage page; the readiness and maturity parts are null for a user who may not see their pages "
    "(a PPI facilitator, or a reviewer while the application is under review).",
    responses={200: serializers.HITScoresSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
)
@api_view(["GET"])
def hit_scores(request: Request, pk: int) -> Response:
    scores = selectors.hit_scores_for_user(user=request.user, pk=pk)
    return Response(serializers.HITScoresSerializer(scores, context={"request": request}).data)


@extend_schema(
    summary="Portfolio figures",
    description="Aggregates over the whole programme, for board members, programme managers and PPI "
    "facilitators.",
    responses={200: serializers.PortfolioSerializer, 401: UNAUTHENTICATED, 403: REFUSED},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, permissions.CanViewPortfolioFigures])
def portfolio(request: Request) -> Response:
    return Response(serializers.PortfolioSerializer(selectors.portfolio_figures()).data)


# --- HTML pages --------------------------------------------------------------------------------------


def _endpoints() -> list[dict[str, str]]:
    one_hit = reverse("api:hit-list") + "{id}/"
    page_size = api_settings.PAGE_SIZE
    return [
        {
            "path": reverse("api:hit-list"),
            "summary": f"The HITs you may see, {page_size} at a time (up to {MAX_PAGE_SIZE} with limit).",
            "parameters": "status, stage, search (part of the name or focus), limit, offset",
        },
        {
            "path": one_hit,
            "summary": "One HIT: status, stage, host organisation, current accreditation dates, links.",
            "parameters": "",
        },
        {
            "path": one_hit + "scores/",
            "summary": "A HIT's stored engagement coverage, latest readiness results (small groups "
            "suppressed), maturity profile and partnership network figures.",
            "parameters": "",
        },
        {
            "path": reverse("api:portfolio"),
            "summary": "Portfolio figures (board members, programme managers and PPI facilitators).",
            "parameters": "",
        },
        {
            "path": reverse("api:schema"),
            "summary": "The OpenAPI 3 description of all of the above, as JSON.",
            "parameters": "",
        },
    ]


@login_required
def docs(request: HttpRequest) -> HttpResponse:
    """How to use the API: the endpoints, authentication and a link to the schema."""
    return render(
        request,
        "api/docs.html",
        {
            "endpoints": _endpoints(),
            "max_page_size": MAX_PAGE_SIZE,
            "example_url": request.build_absolute_uri(reverse("api:hit-list")),
        },
    )


_FRESH_TOKEN = "hitportal_new_api_token"  # noqa: S105 - a session key's name, not a secret


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token(request: HttpRequest) -> HttpResponse:
    """The user's API token, shown once: POST makes a new one in place of any old one (which stops
    working at once) and the page after it shows the key, that time only; later the page says when the
    token was made and offers to replace or revoke it. POST with action=revoke deletes it."""
    if request.method == "POST":
        had_token = Token.objects.filter(user=request.user).exists()
        if request.POST.get("action") == "revoke":
            services.token_revoke(actor=request.user)
            if had_token:
                messages.success(request, "Your token was revoked: scripts using it are refused from now on.")
            return redirect("api:token")
        new = services.token_regenerate(actor=request.user)
        # Kept in the session (database-backed) only until the next page shows it.
        request.session[_FRESH_TOKEN] = new.key
        messages.success(
            request,
            "Your new token is ready. The old one no longer works." if had_token else "Your token is ready.",
        )
        return redirect("api:token")
    fresh = request.session.pop(_FRESH_TOKEN, None)
    token = Token.objects.filter(user=request.user).first()
    # A token from before the last password change no longer works: offer its replacement, not its key.
    current = token is not None and token_is_current(token=token, user=request.user)
    return render(
        request,
        "api/token.html",
        {
            "token": token if current else None,
            "shown_key": token.key if current and token is not None and fresh == token.key else "",
            "stale_token": token if token is not None and not current else None,
            "password_changed_at": request.user.password_changed_at,
        },
    )
