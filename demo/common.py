"""What every part of the demo builder shares: the seed, the demo's « today », the volumes of one
territory, and small value helpers."""

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from clauses_site.text import company_key, with_luhn_digit

SEED = 20261126
DEMO_TODAY = datetime.date(2026, 11, 26)
FIRST_MONTH = datetime.date(2024, 1, 1)  # three years of monthly hours
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
D = Decimal
CENT = Decimal("0.01")

#: Volumes of one territory (design.md, « demo » scale); « national » has NATIONAL_TERRITORIES territories
#: (demo.national: their people, assignments and hours are many more).
VOLUMES = {"markets": 300, "companies": 400, "participants": 600, "assignments": 1200}
NATIONAL_TERRITORIES = 10


def aware(day, hour=10, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def luhn_siret(rng):
    """A random SIRET passing the Luhn check (SIREN of 9 digits, establishment number 000xx)."""
    return with_luhn_digit(f"{rng.randint(300_000_000, 999_999_999)}000{rng.randint(1, 9)}")


def phone(rng):
    return f"03 28 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def slug(text):
    return company_key(text)[:30] or "contact"


def q2(value):
    return D(value).quantize(CENT, rounding=ROUND_HALF_UP)
