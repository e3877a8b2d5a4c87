"""The groups of the two external roles (clauses_site.roles.COMPANY_USER, BUYER_USER), as
clauses_site/migrations/0001_roles.py makes the team's."""

from django.db import migrations

ROLES = ("Entreprise", "Donneur d'ordre")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_initial"), ("clauses_site", "0001_roles")]
    operations = [migrations.RunPython(create_groups, delete_groups)]
