from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accreditation import models
from accreditation.enums import PanelRole, PanelSeatChange
from tests.factories.teams import UserFactory


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Round

    name = factory.Sequence(lambda n: f"Round {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    eoi_deadline = factory.LazyAttribute(lambda o: o.opens_on + datetime.timedelta(days=40))
    application_deadline = factory.LazyAttribute(lambda o: o.eoi_deadline + datetime.timedelta(days=60))
    guidance = "Tell us who needs to be involved, how, and for what outcome."

    class Params:
        closed = factory.Trait(
            opens_on=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400)),
        )


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Panel

    round = factory.SubFactory(RoundFactory)
    name = factory.Sequence(lambda n: f"Panel {n}")


class PanelMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PanelMember

    panel = factory.SubFactory(PanelFactory)
    user = factory.SubFactory(UserFactory)
    role = PanelRole.REVIEWER


class PanelSeatEventFactory(factory.django.DjangoModelFactory):
    """A recorded seat change ("added" by default); no PanelMember row is touched."""

    class Meta:
        model = models.PanelSeatEvent

    panel = factory.SubFactory(PanelFactory)
    user = factory.SubFactory(UserFactory)
    role = PanelRole.REVIEWER
    change = PanelSeatChange.ADDED
    actor = factory.SubFactory(UserFactory)
