from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from clauses_site.demo_users import DEMO_USERS, create_demo_users


class Command(BaseCommand):
    help = "Crée les comptes et les données de démonstration (déterministes)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["demo", "national"], default="demo")
        parser.add_argument(
            "--status", action="store_true", help="Affiche « seeded » si la démo est déjà en place."
        )

    def handle(self, *args, scale, status, **options):
        if status:
            names = [u[0] for u in DEMO_USERS]
            done = User.objects.filter(username__in=names).count() == len(names)
            self.stdout.write("seeded" if done else "empty")
            return
        with transaction.atomic():
            create_demo_users()
        self.stdout.write(self.style.SUCCESS("Comptes de démonstration créés."))
