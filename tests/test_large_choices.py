"""No form or filter renders more than a few hundred options (issue: speed at national scale).

At a portfolio of 600 HITs, 600 people and 600 organisations (past ``DIRECTORY_SELECT_FULL_MAX``), every
form and filter class of every app is built and rendered, and no <select> may hold more than 300
<option>s: a large choice is the directory lookup's search box (teams.forms.lookup), never a list of the
whole portfolio. The pages that build forms from arguments this walk cannot invent are rendered too.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import django_filters
import pytest
from django import forms

from teams.enums import HITStatus
from teams.models import HIT, Organisation, Person
from tests import factories as f

SCALE = 600
MAX_OPTIONS = 300
APPS = ["accreditation", "teams", "engagement", "reporting", "core", "hitportal"]
# Forms that live outside forms/ and filters.py.
EXTRA_MODULES = [
    "accreditation.domain.sections",
    "teams.views.lifecycle",
    "hitportal.audit.views",
    "hitportal.gdpr.views",
    "hitportal.views",
    "hitportal.forms",
    "hitportal.api.filters",
    "reporting.views.exports",
]


def _form_modules() -> list[str]:
    names = list(EXTRA_MODULES)
    for app in APPS:
        try:
            importlib.import_module(f"{app}.filters")
        except ModuleNotFoundError:
            pass
        else:
            names.append(f"{app}.filters")
        try:
            package = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        if hasattr(package, "__path__"):
            names += [f"{app}.forms.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
        else:
            names.append(f"{app}.forms")
    return sorted(set(names))


def _classes() -> list[type]:
    found = []
    for name in _form_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name:
                continue
            if issubclass(cls, forms.BaseForm | django_filters.FilterSet) and cls not in (
                forms.Form,
                forms.ModelForm,
            ):
                if getattr(getattr(cls, "Meta", None), "abstract", False):
                    continue
                found.append(cls)
    return found


def test_the_walk_finds_the_forms_and_filters():
    names = {cls.__name__ for cls in _classes()}
    assert {"ReportFilter", "PersonFilter", "AuditFilterForm", "GovernanceForm", "HITLinkForm"} <= names


@pytest.fixture
def portfolio(db):
    """600 HITs, people and organisations (bulk: the walk is about rendering, not about building)."""
    org_type = f.OrganisationTypeFactory()
    Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {n:04}", org_type=org_type) for n in range(SCALE)
    )
    Person.objects.bulk_create(
        Person(full_name=f"Person {n:04}", email=f"p{n}@example.org") for n in range(SCALE)
    )
    HIT.objects.bulk_create(
        HIT(name=f"HIT {n:04}", slug=f"hit-{n}", focus="Dementia", status=HITStatus.ACTIVE)
        for n in range(SCALE)
    )
    hit = HIT.objects.order_by("pk").first()
    return hit


def _most_options(html: str) -> int:
    return max((s.count("<option") for s in re.findall(r"<select.*?</select>", html, re.S)), default=0)


# Arguments the walk hands a form or filter, by name: the whole portfolio wherever a view would pass a
# list that grows with it, an empty list for the per-form details the view reads from one record.
def _arguments(hit: HIT) -> dict[str, object]:
    from accreditation.models import Round
    from engagement.enums import SupportStatus
    from engagement.models import Instrument
    from teams.models import User

    return {
        "hit": hit,
        "hits": HIT.objects.order_by("name"),
        "reviewers": User.objects.order_by("full_name"),
        "owners": Person.objects.order_by("full_name"),
        "rounds": Round.objects.order_by("name"),
        "instruments": Instrument.objects.order_by("pk"),
        "current": SupportStatus.choices[0][0],
        "points": [],
        "numbers": [],
        "criteria": [],
        "items": [],
        "organisations": [],
        "partners": [],
    }


# Classes built from one record the walk cannot invent; each is rendered on its page by its own tests.
NOT_WALKED = {
    "ActionItemForm": "owners are one HIT's members and stakeholders (engagement.selectors.maturity)",
    "ActionItemEditForm": "edits one action item",
    "ItemForm": "one survey item",
    "ProposalRowForm": "one proposed membership; its person list is the lookup (teams/forms/proposals.py)",
    "DashboardFilterForm": "rounds are the dashboard's stored round summaries (a few a year)",
}


def _build(cls: type, arguments: dict[str, object]):
    parameters = inspect.signature(cls.__init__).parameters.values()
    kwargs = {
        p.name: arguments[p.name]
        for p in parameters
        if p.kind == p.KEYWORD_ONLY and p.default is p.empty and p.name in arguments
    }
    if issubclass(cls, django_filters.FilterSet):
        # Only the form is rendered: which rows it would filter does not matter.
        queryset = None if cls._meta.model else HIT.objects.none()
        return cls(None, queryset=queryset, **kwargs).form
    return cls(**kwargs)


@pytest.mark.django_db
def test_no_form_or_filter_renders_more_than_a_few_hundred_options(portfolio, settings):
    assert settings.DIRECTORY_SELECT_FULL_MAX <= MAX_OPTIONS
    arguments = _arguments(portfolio)
    too_many, not_built = {}, {}
    for cls in _classes():
        if cls.__name__ in NOT_WALKED:
            continue
        try:
            form = _build(cls, arguments)
        except Exception as exc:
            not_built[cls.__qualname__] = repr(exc)
            continue
        most = _most_options(str(form))
        if most > MAX_OPTIONS:
            too_many[f"{cls.__module__}.{cls.__qualname__}"] = most
    assert not not_built, f"Add the arguments these need to _arguments or NOT_WALKED: {not_built}"
    assert not too_many, f"Selects with more than {MAX_OPTIONS} options: {too_many}"
