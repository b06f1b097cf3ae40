# Rows written before this hold "" and hash exactly as they did (AccessEvent.contents adds the
# way the request came only when there is one).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_access_event_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="accessevent",
            name="via",
            field=models.CharField(blank=True, max_length=40),
        ),
    ]
