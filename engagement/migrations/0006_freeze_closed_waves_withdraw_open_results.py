"""Results of the readiness surveys under the rules of docs/security.md, for the waves that exist.

- A wave whose closing date has passed is closed (at the end of that day) and its stored results
  become its released results, frozen from now on.
- A wave still open loses any results stored while it was open: they are released when it closes.
- No group of fewer than ten keeps its spread (SD and share agreeing).
"""

import datetime

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Wave = apps.get_model("engagement", "Wave")
    ReadinessResult = apps.get_model("engagement", "ReadinessResult")
    today = timezone.localdate()
    now = timezone.now()
    zone = timezone.get_current_timezone()
    for wave in Wave.objects.filter(closes_on__lt=today, closed_at__isnull=True).only("pk", "closes_on"):
        end_of_last_day = datetime.datetime.combine(
            wave.closes_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        released = now if ReadinessResult.objects.filter(wave_id=wave.pk).exists() else None
        Wave.objects.filter(pk=wave.pk).update(closed_at=end_of_last_day, released_at=released)
    ReadinessResult.objects.filter(wave__closed_at__isnull=True).delete()
    ReadinessResult.objects.filter(n__lt=10).update(sd=None, pct_agree=None)


class Migration(migrations.Migration):
    dependencies = [("engagement", "0005_wave_close_and_release")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
