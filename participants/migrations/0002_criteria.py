from django.db import migrations

from participants.models import CRITERIA


def create(apps, schema_editor):
    Criterion = apps.get_model("participants", "Criterion")
    for order, (code, label) in enumerate(CRITERIA):
        Criterion.objects.update_or_create(code=code, defaults={"label": label, "order": order})


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
