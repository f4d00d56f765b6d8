"""The set-up checklist (docs/domain.md section 3): computed from the data, never ticked by hand.

A HIT moves from set-up to active only when every item holds: `activation_guard` answers the
signal teams.signals.hit_transition_requested (connected in reporting.apps), so
teams.services.hit_transition refuses "activate" with the messages of the items that do not hold.

The items:
1. the HIT's current executive sponsor (the membership the HIT page shows) is the person who confirmed
   on the HIT's accredited application;
2. the management group spans at least two organisations (current members, organisation named);
3. every working group is dual-led (one current academic and one current service lead), and there
   is at least one working group;
4. the public review group judged the PPI arrangements adequate (its latest review of the HIT);
5. every condition of the HIT's accreditation decisions is closed.

`checklists_for(hit_ids)` answers for many HITs in five queries, whatever their number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass
