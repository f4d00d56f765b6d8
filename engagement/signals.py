"""The signals engagement sends, so that the apps above it take part without engagement importing them
(the house plan lets a lower app call no app above it)."""

from __future__ import annotations

import django.dispatch

#: Sent by engagement.services.releases (sender Wave) with `wave_ids` and `hit_ids`, inside the transaction
#: that released those waves' readiness results. reporting recomputes the board's stored portfolio
#: statistics (the funnel plot and the readiness chart) after the commit.
readiness_released = django.dispatch.Signal()
