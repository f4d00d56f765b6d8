"""The demo's travelling clock: a service run inside `on_day(ctx, when)` finds `when` to be now, so
everything it stamps (timestamps, "today" in its date rules, the roles a login held that day) is of that
day, and nothing has to be dated back afterwards."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator

import time_machine

from demo.context import DemoContext
from teams.roles import forget_roles


@contextlib.contextmanager
def on_day(ctx: DemoContext, when: datetime.datetime) -> Iterator[None]:
    """Run the block with the clock standing at `when` (it does not tick). The logins' roles are
    looked up afresh on both sides: who directed or reviewed what depends on the day."""
    for user in ctx.users.values():
        forget_roles(user)
    try:
        with time_machine.travel(when, tick=False):
            yield
    finally:
        for user in ctx.users.values():
            forget_roles(user)
