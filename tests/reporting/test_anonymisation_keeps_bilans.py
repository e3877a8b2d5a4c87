"""Every bilan of every period has exactly the same figures before and after an anonymisation.

The hand-built data set of tests/reporting/dataset.py, plus two people whose assignments start days
apart across a birthday that changes their age band (the tightest case for the stand-in birth date):
- P8 F born 29/02/2000: assignment on lot CUD-1 from 28/02/2026 (25 years old: <26), assignment on
  lot VGS-1 from 01/03/2026 (26: 26-49);
- P9 H born 15/03/1976: lot CUD-1 from 14/03/2026 (49: 26-49), lot VGS-1 from 16/03/2026 (50: 50+).
Every person is then anonymised; the figures of 8 scopes (2 buyers, 2 markets, 3 companies, the
territory) over years and half-years, and of the territory, a buyer and a company over every month
from 06/2023 to 04/2026, are compared: the whole
Figures dataclass (every breakdown, lot and company line) and the JSON file's bytes.
"""

import datetime
from decimal import Decimal

import pytest

from hours.models import ContractType
from participants.models import Participant
from reporting import bilan, indicators, personal_data
from tests.hours.factories import AssignmentFactory, HoursEntryFactory
from tests.participants.factories import ParticipantFactory
from tests.reporting import dataset

pytestmark = pytest.mark.django_db


def _extra_people(data):
    F, H = Participant.Sex.FEMALE, Participant.Sex.MALE
    p8 = ParticipantFactory(
        last_name="Lemaire", first_name="Inès", sex=F, birth_date=datetime.date(2000, 2, 29), criteria=["RSA"]
    )
    p9 = ParticipantFactory(
        last_name="Coppin",
        first_name="Didier",
        sex=H,
        birth_date=datetime.date(1976, 3, 15),
        commune="Gravelines",
    )
    plan = [
        (p8, data.lots.cud1, datetime.date(2026, 2, 28), [(2, "20"), (3, "30")]),
        (p8, data.lots.vgs1, datetime.date(2026, 3, 1), [(3, "40")]),
        (p9, data.lots.cud1, datetime.date(2026, 3, 14), [(3, "12.50")]),
        (p9, data.lots.vgs1, datetime.date(2026, 3, 16), [(4, "35")]),
    ]
    for person, lot, starts_on, months in plan:
        assignment = AssignmentFactory(
            participant=person,
            lot=lot,
            company=data.bati,
            starts_on=starts_on,
            ends_on=None,
            contract_type=ContractType.CDD,
        )
        for m, h in months:
            HoursEntryFactory(assignment=assignment, month=datetime.date(2026, m, 1), hours=Decimal(h))
    return [p8, p9]


def _periods():
    """Years and half-years 2023-2026, the whole span."""
    periods = [(datetime.date(2023, 1, 1), datetime.date(2026, 12, 31))]
    for year in (2023, 2024, 2025, 2026):
        periods.append((datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
        periods.append((datetime.date(year, 1, 1), datetime.date(year, 6, 30)))
        periods.append((datetime.date(year, 7, 1), datetime.date(year, 12, 31)))
    return periods


def _months():
    """Every month from 06/2023 to 04/2026."""
    periods = []
    month = datetime.date(2023, 6, 1)
    while month <= datetime.date(2026, 4, 1):
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        periods.append((month, following - datetime.timedelta(days=1)))
        month = following
    return periods


def _all_bilans(scopes, periods):
    found = {}
    for kind, obj in scopes:
        for start, end in periods:
            figures = indicators.for_scope(kind, obj, start, end)
            found[(kind, obj.pk if obj else None, start, end)] = (
                figures,
                bilan.render_json(figures),
                bilan.render_json(figures, anonymise_small=True),
            )
    return found


def test_every_bilan_of_every_period_is_unchanged_by_anonymisation(manager):
    data = dataset.build()
    extra = _extra_people(data)
    scopes = [
        ("buyer", data.cud),
        ("buyer", data.vgs),
        ("market", data.m1),
        ("market", data.m3),
        ("company", data.bati),
        ("company", data.flandre),
        ("company", data.couleurs),
        ("territory", None),
    ]
    monthly = [("territory", None), ("buyer", data.vgs), ("company", data.bati)]

    def every_bilan():
        return {**_all_bilans(scopes, _periods()), **_all_bilans(monthly, _months())}

    before = every_bilan()

    # The tight cases are really in the figures: P8 under 26 in 02/2026, 26-49 in VGS' 03/2026.
    feb = before[("territory", None, datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))][0]
    assert feb.people == 1 and feb.by_age_band == {"<26": 1, "26-49": 0, "50+": 0}
    vgs_march = before[("buyer", data.vgs.pk, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))][0]
    assert vgs_march.by_age_band == {"<26": 0, "26-49": 1, "50+": 0}
    april = before[("territory", None, datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))][0]
    assert april.by_age_band == {"<26": 0, "26-49": 0, "50+": 1}
    march = before[("territory", None, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))][0]
    assert march.by_age_band == {"<26": 1, "26-49": 1, "50+": 0}  # P8 on 28/02, P9 on 14/03

    for person in [*data.people, *extra]:
        personal_data.anonymise(person, user=manager)
    assert Participant.objects.filter(anonymised_at__isnull=True).count() == 0
    assert not Participant.objects.filter(last_name__in=["Dupont", "Benali", "Lemaire", "Coppin"]).exists()
    # The birth dates are no longer the real ones (P9's stand-in lies a day after, the only date allowed
    # besides the real one).
    births = dict(Participant.objects.values_list("pk", "birth_date"))
    assert births[extra[0].pk] == datetime.date(2000, 3, 1)
    assert births[extra[1].pk] == datetime.date(1976, 3, 16)
    assert births[data.people[1].pk] != datetime.date(1975, 3, 15)

    after = every_bilan()
    assert len(after) == len(before) == 8 * 13 + 3 * 35
    for key, (figures, json_bytes, json_masked) in before.items():
        assert after[key][0] == figures, key
        assert after[key][1] == json_bytes, key
        assert after[key][2] == json_masked, key


def test_a_naive_stand_in_would_change_the_bilans():
    """The comparison above can fail: 1 January of the birth year moves P8 to the 26-49 band."""
    data = dataset.build()
    p8, _ = _extra_people(data)
    feb = (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert indicators.for_territory(*feb).by_age_band["<26"] == 1
    Participant.objects.filter(pk=p8.pk).update(birth_date=datetime.date(2000, 1, 1))
    assert indicators.for_territory(*feb).by_age_band == {"<26": 0, "26-49": 1, "50+": 0}
