"""Choosing a person, an organisation or a HIT from a directory of thousands.

A plain <select> of the whole directory is fine for a programme of twenty HITs and unusable for a region
of a thousand (docs/domain.md section 9): thousands of options to scroll, and the page carries all of them.
`DirectoryChoiceField` keeps the plain <select> while the directory is small; past
``settings.DIRECTORY_SELECT_FULL_MAX`` entries it renders a search box beside a <select> holding the
current choice and the first ``settings.DIRECTORY_LOOKUP_LIMIT`` matches.

- With JavaScript, typing in the box asks `teams:directory-lookup` (htmx) for the matching options.
- Without it, the form still works: what was typed is submitted with the form. One match is taken;
  none or several give a clear error next to the field, and the list then shows the matches.

Validation is the field's own queryset, as for any ModelChoiceField: the lookup only narrows what is
shown, never what is allowed.

One search rule for both ways (`search`): people are found by their names only, so nobody can rebuild an
email address one letter at a time from what matches; a programme manager may also type a whole email
address, which finds its owner exactly. Options are labelled with names, never addresses. Each user has
``settings.DIRECTORY_LOOKUPS_PER_MINUTE`` searches a minute (`search_allowed`), the htmx lookups and the
searches typed into forms together; past it the lookup answers 429 and a form says so next to the field.
Forms learn who is searching from `search_as(form, user)`; a form that is not told matches names only.

HITs are a directory too (`HITChoiceField`, and `HITChoiceFilter` for a filter): a form's list of HITs is
its own queryset, and the lookup view searches only the HITs the user may see (teams.selectors.hits), so
a search never names a HIT its user could not open. No form or filter renders more than
``DIRECTORY_SELECT_FULL_MAX`` options (tests/test_large_choices.py walks them all).
"""

from __future__ import annotations

import logging
import operator
from dataclasses import dataclass
from functools import reduce

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.urls import reverse

from core import ratelimit
from teams.permissions import can_find_people_by_email
from teams.roles import AnyUser

logger = logging.getLogger(__name__)

# The suffix of the search box's name: "director" is searched through "director__q".
QUERY_SUFFIX = "__q"


@dataclass(frozen=True)
class Directory:
    key: str  # in the lookup URL
    noun: str
    plural: str
    search_fields: tuple[str, ...]
    # Matched only whole and only for those allowed (an email address, for programme managers).
    exact_fields: tuple[str, ...] = ()

    def matching(self, query: str, *, exact: bool = False) -> Q:
        """Every word of the query found in one of the search fields (case-insensitive); with `exact`,
        also an entry whose exact field equals the whole query."""
        words = query.split()
        if not words:
            return Q()
        condition = reduce(
            operator.and_,
            (
                reduce(operator.or_, (Q(**{f"{name}__icontains": word}) for name in self.search_fields))
                for word in words
            ),
        )
        if exact:
            for name in self.exact_fields:
                condition |= Q(**{f"{name}__iexact": query.strip()})
        return condition


PEOPLE = Directory("people", "person", "people", ("full_name",), exact_fields=("email",))
ORGANISATIONS = Directory("organisations", "organisation", "organisations", ("name", "short_name"))
HITS = Directory("hits", "HIT", "HITs", ("name",))
DIRECTORIES = {directory.key: directory for directory in (PEOPLE, ORGANISATIONS, HITS)}


class LookupQuery(str):
    """What was typed in the search box when no option was chosen: the field resolves it."""


LOOKUP_WINDOW_SECONDS = 60
THROTTLED_MESSAGE = (
    "You have searched the directory many times in the last minute. Wait a minute, then try again."
)


def search(directory: Directory, queryset: QuerySet, query: str, *, user: AnyUser | None) -> QuerySet:
    """The entries of `queryset` that `query` finds for `user` (the one search rule, see the docstring)."""
    exact = user is not None and bool(can_find_people_by_email(user))
    return queryset.filter(directory.matching(query, exact=exact))


def search_allowed(user: AnyUser | None) -> bool:
    """Count one search by `user` and say whether it is within the limit (unknown users are not counted)."""
    user_id = user.pk if user is not None else None
    if user_id is None:
        return True
    attempt = ratelimit.attempt(
        "directory-lookup",
        str(user_id),
        limit=settings.DIRECTORY_LOOKUPS_PER_MINUTE,
        window_seconds=LOOKUP_WINDOW_SECONDS,
    )
    if attempt.first_refused:
        logger.warning("Directory searches refused for user %s: over %s a minute", user_id, attempt.limit)
    return attempt.allowed


def full_select_max() -> int:
    return settings.DIRECTORY_SELECT_FULL_MAX


def lookup_limit() -> int:
    return settings.DIRECTORY_LOOKUP_LIMIT


class DirectorySelect(forms.Select):
    template_name = "teams/widgets/directory_select.html"

    def __init__(self, directory: Directory, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.directory = directory
        self.query = ""
        self.user: AnyUser | None = None
        self.allowed: dict[str, bool] = {}
        # The first rows of the field's queryset, read once for the rows of a formset (`share_rows`).
        self.first_rows: list | None = None

    def __deepcopy__(self, memo: dict) -> DirectorySelect:
        copy = super().__deepcopy__(memo)
        copy.query = ""
        copy.allowed = {}
        return copy

    def search(self, queryset: QuerySet, query: str) -> QuerySet | None:
        """What `query` finds for the bound user; None once they have searched too often.

        A query is counted once per form: resolving it on submit and listing its matches again on the
        page that explains the error are one search.
        """
        if query not in self.allowed:
            self.allowed[query] = search_allowed(self.user)
        if not self.allowed[query]:
            return None
        return search(self.directory, queryset, query, user=self.user)

    def value_from_datadict(self, data, files, name: str):
        value = super().value_from_datadict(data, files, name)
        self.query = (data.get(name + QUERY_SUFFIX) or "").strip()[:100]
        if not value and self.query:
            return LookupQuery(self.query)
        return value

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return name not in data and name + QUERY_SUFFIX not in data

    def get_context(self, name: str, value, attrs: dict | None) -> dict:
        iterator = self.choices
        if not isinstance(iterator, ModelChoiceIterator):  # not bound to a model field: a plain select
            return super().get_context(name, value, attrs)
        queryset = iterator.queryset
        first = self.first_rows if self.first_rows is not None else first_rows(queryset)
        if not is_large(first):
            return self._context_with(iterator, first, name, value, attrs)

        if isinstance(value, LookupQuery):
            value = None
        limit = lookup_limit()
        shown = self.search(queryset, self.query) if self.query else queryset
        if shown is None:
            matches = []
        elif self.query:
            matches = list(shown[: limit + 1])
        else:
            matches = first[: limit + 1]
        more = len(matches) > limit
        options = matches[:limit]
        chosen_ids = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v}
        shown_ids = {str(obj.pk) for obj in options}
        missing = {pk for pk in chosen_ids - shown_ids if pk.isdigit()}
        if missing:
            # The current choice stays in the list (first), whatever the search shows.
            options = [*queryset.filter(pk__in=missing), *options]
        context = self._context_with(iterator, options, name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["lookup"] = {
            "url": reverse("teams:directory-lookup", args=[self.directory.key]),
            "name": name,
            "query_name": name + QUERY_SUFFIX,
            "query_id": f"{widget_id}{QUERY_SUFFIX}",
            "status_id": f"{widget_id}__status",
            "select_id": widget_id,
            "query": self.query,
            "more_than": full_select_max(),
            "limit": limit,
            "directory": self.directory,
            "status": (
                lookup_status(self.directory, self.query, len(matches[:limit]), more)
                if shown is not None
                else THROTTLED_MESSAGE
            ),
        }
        return context

    def _context_with(self, iterator: ModelChoiceIterator, options: list, name: str, value, attrs) -> dict:
        """The select's context with `options` (already read) as its choices: no further query."""
        choices = [iterator.choice(obj) for obj in options]
        if iterator.field.empty_label is not None:
            choices.insert(0, ("", iterator.field.empty_label))
        original = self.choices
        self.choices = choices
        try:
            return super().get_context(name, value, attrs)
        finally:
            self.choices = original


def lookup_status(directory: Directory, query: str, shown: int, more: bool) -> str:
    """The line under the search box (a live region): what the list holds now."""
    if not query:
        return f"The list shows the first {shown} {directory.plural}: type part of a name to find others."
    if shown == 0:
        return f"No {directory.noun} in the directory matches “{query}”."
    if more:
        return f"More than {shown} {directory.plural} match “{query}”: the list shows the first {shown}."
    noun = directory.noun if shown == 1 else directory.plural
    return f"{shown} {noun} match{'es' if shown == 1 else ''} “{query}”: choose from the list."


class DirectoryChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose widget searches the directory once it is too large for a plain list."""

    def __init__(self, queryset: QuerySet, *, directory: Directory, **kwargs) -> None:
        kwargs.setdefault("widget", DirectorySelect(directory))
        self.directory = directory
        super().__init__(queryset, **kwargs)

    def search_as(self, user: AnyUser) -> None:
        self.widget.user = user

    def to_python(self, value):
        if isinstance(value, LookupQuery):
            return self.resolve(value)
        for row in self.widget.first_rows or ():
            if value not in self.empty_values and str(row.pk) == str(value):
                return row  # already read from this field's queryset (`share_rows`)
        return super().to_python(value)

    def resolve(self, query: str):
        """The one entry that matches what was typed, or an error saying how many did."""
        found = self.widget.search(self.queryset, query)
        if found is None:
            raise ValidationError(THROTTLED_MESSAGE, code="throttled")
        matches = list(found[:2])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValidationError(
                f"No {self.directory.noun} in the directory matches “{query}”. Change the search.",
                code="no_match",
            )
        raise ValidationError(
            f"Several {self.directory.plural} match “{query}”: choose one from the list.", code="ambiguous"
        )


class PersonChoiceField(DirectoryChoiceField):
    def __init__(self, queryset: QuerySet, **kwargs) -> None:
        super().__init__(queryset, directory=PEOPLE, **kwargs)


class OrganisationChoiceField(DirectoryChoiceField):
    def __init__(self, queryset: QuerySet, **kwargs) -> None:
        super().__init__(queryset, directory=ORGANISATIONS, **kwargs)


class HITChoiceField(DirectoryChoiceField):
    def __init__(self, queryset: QuerySet, **kwargs) -> None:
        super().__init__(queryset, directory=HITS, **kwargs)


class _FilterChoiceField:
    """What django-filter adds to a ModelChoiceField's arguments, which a directory field does not take."""

    def __init__(self, queryset: QuerySet, **kwargs) -> None:
        kwargs.pop("null_label", None)
        kwargs.pop("null_value", None)
        super().__init__(queryset, **kwargs)  # type: ignore[call-arg]


class _HITFilterField(_FilterChoiceField, HITChoiceField):
    pass


class _OrganisationFilterField(_FilterChoiceField, OrganisationChoiceField):
    pass


class HITChoiceFilter(django_filters.ModelChoiceFilter):
    """A filter by one HIT: a plain list while the HITs are few, the lookup's search box past that.
    ``?hit=<id>`` still filters, and the chosen HIT is shown by name."""

    field_class = _HITFilterField


class OrganisationChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _OrganisationFilterField


class _Rows(list):  # type: ignore[type-arg]
    """The first rows of a directory, knowing whether the directory is past the plain list's size."""

    large = False


def first_rows(queryset: QuerySet) -> list:
    """The rows of `queryset` a directory list needs (read once for every row form of a formset).

    The ids of the first rows past the threshold say whether the directory is small (no count: the
    box says "more than"); then a small one is read whole for its plain <select>, and a large one
    only as far as the search box's list shows. Two queries; reading 301 whole rows to show 51 was
    most of a page's time at national scale.
    """
    evaluated = getattr(queryset, "_result_cache", None)
    if evaluated is not None:  # read already (a formset's shared list): no query
        return _Rows(evaluated[: full_select_max() + 1])
    ids = list(queryset.values_list("pk", flat=True)[: full_select_max() + 1])
    if len(ids) <= full_select_max():
        return _Rows(queryset[: full_select_max()]) if ids else _Rows()
    rows = _Rows(queryset[: lookup_limit() + 1])
    rows.large = True
    return rows


def is_large(rows: list) -> bool:
    """Whether `rows` (from first_rows, or a list a caller read itself) come from a directory too
    large for a plain list."""
    return bool(getattr(rows, "large", len(rows) > full_select_max()))


def share_rows(field: forms.Field, queryset: QuerySet, rows: list) -> None:
    """Give a row form's directory `field` the `queryset` and its `rows` read by `first_rows`: the
    formset's page reads the list once, however many rows it has."""
    field.queryset = queryset  # type: ignore[attr-defined]
    field.widget.first_rows = rows


def search_as(form: forms.BaseForm, user: AnyUser) -> None:
    """Tell every directory field of `form` who searches: the search rule and the limit are theirs."""
    for field in form.fields.values():
        if isinstance(field, DirectoryChoiceField):
            field.search_as(user)


def lookup_options(
    directory: Directory, queryset: QuerySet, *, query: str, selected: str, user: AnyUser
) -> dict:
    """The options the lookup view sends back for what was typed (the template context)."""
    limit = lookup_limit()
    shown = search(directory, queryset, query, user=user) if query else queryset
    matches = list(shown[: limit + 1])
    more = len(matches) > limit
    options = matches[:limit]
    if not query and selected.isdigit() and selected not in {str(obj.pk) for obj in options}:
        options = [*queryset.filter(pk=selected), *options]
    return {
        "options": options,
        "selected": selected,
        "status": lookup_status(directory, query, len(matches[:limit]), more),
        "count": len(matches[:limit]),
    }
