from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("engagement", "0006_freeze_closed_waves_withdraw_open_results")]

    operations = [
        migrations.AddConstraint(
            model_name="readinessresult",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("n__gte", 10),
                    models.Q(("sd__isnull", True), ("pct_agree__isnull", True)),
                    _connector="OR",
                ),
                name="engagement_result_spread_needs_ten",
            ),
        ),
    ]
