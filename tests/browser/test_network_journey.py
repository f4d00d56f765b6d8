"""A partnership network round end to end in a real browser: the director plans it, names the
contacts and opens it; two organisations' contacts answer through their one-time links (one on a
phone); the director closes it and reads the network the worker stored."""

from __future__ import annotations

import datetime
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories.engagement_network import partners

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips these tests (or fails them in CI with HITPORTAL_BROWSER=1)
    expect = None


def _links() -> dict[str, str]:
    found = {}
    for message in mail.outbox:
        match = re.search(r"(/engagement/network-survey/[^/\s]+/)", message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found


def test_a_network_round_from_planning_to_the_drawn_network(open_session, director, hit):
    acute, council, carers = partners(
        hit, ("Acute Trust", "PROV"), ("City Council", "OPS"), ("Carers Forum", "PUBLIC")
    )
    s = open_session(director)
    s.goto(reverse("teams:hit-detail", args=[hit.pk]))
    s.page.get_by_role("link", name="Partnership network").click()
    expect(s.page.locator("main")).to_contain_text("no network to show yet")
    s.page.get_by_role("link", name="Network rounds").click()
    s.fill(title="Spring 2026", closes_on=(timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    s.page.get_by_role("button", name="Plan the round").click()
    expect(s.page.locator("body")).to_contain_text("Spring 2026 is planned.")

    for organisation in (acute, council, carers):
        s.page.get_by_label(f"Contact's name for {organisation.name}").fill(f"Lead of {organisation.name}")
        s.page.get_by_label(f"Contact's email for {organisation.name}").fill(f"{organisation.pk}@example.org")
        s.page.get_by_role("button", name=f"Save the contact for {organisation.name}").click()
        expect(s.page.locator("body")).to_contain_text(f"The contact for {organisation.name} is saved.")
    s.page.get_by_role("button", name=re.compile("Open and send the links")).click()
    expect(s.page.locator("body")).to_contain_text("The round is open: 3 link(s) sent.")
    links = _links()
    assert len(links) == 3
    assert s.axe_violations() == []

    # The acute trust's contact, on a phone.
    phone = open_session(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(links[f"{acute.pk}@example.org"])
    expect(phone.page.locator("main")).to_contain_text("You answer for Acute Trust")
    phone.page.get_by_label("How do you work with City Council?").select_option("4")
    phone.page.get_by_label("Trust in City Council").select_option("3")
    phone.page.get_by_label("Value of the work with City Council").select_option("4")
    phone.page.get_by_label("How do you work with Carers Forum?").select_option("0")
    assert phone.axe_violations() == []
    phone.page.get_by_role("button", name="Send our answers").click()
    expect(phone.page.locator("main")).to_contain_text("The answers for Acute Trust have been received.")

    # The council's contact, on a desktop.
    desk = open_session()
    desk.goto(links[f"{council.pk}@example.org"])
    desk.page.get_by_label("How do you work with Acute Trust?").select_option("2")
    desk.page.get_by_label("How do you work with Carers Forum?").select_option("3")
    desk.page.get_by_role("button", name="Send our answers").click()
    expect(desk.page.locator("main")).to_contain_text("have been received")
    assert desk.page.goto(links[f"{council.pk}@example.org"]).status == 410

    s.page.reload()
    expect(s.page.locator("main")).to_contain_text("2 of 3 organisations")
    s.page.get_by_role("button", name="Close the round now").click()
    expect(s.page.locator("body")).to_contain_text("The round is closed")
    s.page.get_by_role("link", name="See the network of this round").click()
    main = s.page.locator("main")
    expect(main).to_contain_text("2 of 3 partner organisations answered")
    expect(main).to_contain_text("If any of these left, the network would split: City Council.")
    expect(main).to_contain_text("Acute Trust and City Council")  # two levels apart: a pair to talk about
    expect(s.page.locator("svg.network-drawing circle")).to_have_count(2)
    expect(s.page.locator('svg.network-drawing rect[transform^="rotate(45"]')).to_have_count(1)
    assert s.axe_violations() == []
    assert s.errors == [] and phone.errors == []
    # The one console line of the council's contact is the used link's deliberate 410.
    assert [e for e in desk.errors if "410" not in e] == []
