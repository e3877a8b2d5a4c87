"""The tracking-sheet import (docs/formats/suivi-xlsx.md): the sample file imported twice and every bad
input of issue 5 (the unreadable files, matching of existing records and the command:
test_import_suivi_matching.py)."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from companies.models import Company
from hours.models import Assignment, HoursEntry, Modality
from hours.suivi import run_import
from hours.suivi.cells import month_of
from markets.models import Clause, Lot
from participants.models import Participant
from tests.factories import UserFactory
from tests.hours.suivi import (
    TITLES,
    assert_refused,
    errors,
    line,
    months,
    run,
    sample_path,
    snapshot,
    with_cached_values,
    workbook,
)
from tests.markets.factories import BuyerFactory, ClauseFactory, LotFactory, MarketFactory

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------------------------------
# The sample file


def test_sample_imported_with_exact_totals_and_twice_changes_nothing():
    # one who may validate (the rights: tests/hours/test_import_validation_rights.py)
    user = UserFactory(username="imp", manager=True)
    first = run_import(sample_path(), user=user)
    assert first.imported and not first.errors, first.lines()
    assert first.rows_read == 58
    created = {kind: count.created for kind, count in first.counts.items()}
    assert created == {
        "buyers": 2,
        "operations": 1,
        "markets": 2,
        "lots": 3,
        "clauses": 3,
        "companies": 5,
        "awards": 3,  # the holder of each lot: the sample names one company per lot
        "participants": 12,
        "assignments": 14,
        "entries": 58,
    }
    totals = snapshot()
    assert totals["hours"] == Decimal("5184.08")
    assert HoursEntry.objects.aggregate(s=Sum("training_hours"))["s"] == Decimal("220.50")
    assert HoursEntry.objects.validated().count() == 58
    entry = HoursEntry.objects.first()
    assert entry.source == HoursEntry.Source.IMPORT
    assert entry.source_file == "suivi-exemple.xlsx"
    assert entry.entered_by == user and entry.validated_by == user and entry.validated_at
    assert sorted(Clause.objects.values_list("hours_required", flat=True)) == [1200, 1800, 4000]
    assert Lot.objects.filter(number="Unique", number_key="unique").exists()
    assert Company.objects.get(name="GEIQ BTP Côte d'Opale").kind == Company.Kind.GEIQ
    assert Company.objects.get(name="BATI NORD SAS").siret == "52601815590833"
    zoe = Participant.objects.get(last_name="Goossens")
    assert sorted(zoe.criteria.values_list("code", flat=True)) == ["DETLD", "PASS IAE", "RSA"]
    assert zoe.qpv is False and zoe.level == "infra 3" and zoe.sex == "F"
    assert Participant.objects.get(last_name="Hochart").qpv is None
    geiq = Assignment.objects.filter(employer__name="GEIQ BTP Côte d'Opale")
    assert {a.modality for a in geiq} == {Modality.GEIQ}
    assert all(a.company.name != a.employer.name for a in geiq)
    # Delattre Mamadou: two contracts on the same lot (CDI and professionalisation)
    assert Assignment.objects.filter(participant__last_name="Delattre").count() == 2

    second = run_import(sample_path(), user=user)
    assert second.imported and not second.errors
    assert snapshot() == totals
    assert all(c.created == 0 and c.updated == 0 for c in second.counts.values())
    assert second.counts["entries"].unchanged == 58
    assert second.counts["participants"].unchanged == 12
    assert second.counts["companies"].unchanged == 5
    assert second.changes == 0


def test_dry_run_counts_but_writes_nothing():
    before = snapshot()
    report = run_import(sample_path(), dry_run=True)
    assert not report.refused and not report.imported and report.counts["entries"].created == 58
    assert snapshot() == before
    assert any("BATI NORD SAS" in w and "créée" in w for w in report.warnings)
    assert report.samples["entries"]["created"]


# --------------------------------------------------------------------------------------------------
# Shape of the sheet


def test_sheet_named_heures_is_read_even_when_not_first():
    report = run(workbook([line()], sheet="Heures", before=["Notes"], after=["Synthèse"]))
    assert report.imported and report.sheet == "Heures"
    assert HoursEntry.objects.count() == 1


def test_first_sheet_is_read_when_none_is_named_heures():
    report = run(workbook([line()], sheet="Suivi 2025", after=["Notes"]))
    assert report.imported and report.sheet == "Suivi 2025"
    assert HoursEntry.objects.count() == 1


def test_wrong_sheet_without_titles_is_unreadable():
    data = workbook([line()], sheet="Données", before=["Notes"])  # the first sheet has no titles
    report = run(data)
    assert report.fatal and "Donneur d'ordre" in report.fatal
    assert HoursEntry.objects.count() == 0


def test_titles_in_another_order_with_case_accents_spaces_and_stars():
    respelled = {
        "Donneur d'ordre": "DONNEUR D'ORDRE *",
        "Réf. marché": "  ref. marche*",
        "Date de naissance": "date de NAISSANCE",
        "Prénom": "PRENOM",
        "Modalité": "modalite *",
        "Début contrat": "Debut contrat",
        "Heures prévues": "heures prevues",
    }
    titles = [respelled.get(t, t) for t in reversed(TITLES)]
    report = run(workbook([line()], titles=titles))
    assert report.imported, report.lines()
    assert not report.ignored_columns
    assert Participant.objects.get().first_name == "Élodie"


def test_extra_columns_are_ignored_and_listed():
    titles = ["Commentaire", *TITLES, "Visa facilitatrice"]
    row = line() | {"Commentaire": "à vérifier", "Visa facilitatrice": "CM"}
    report = run(workbook([row], titles=titles))
    assert report.imported
    assert report.ignored_columns == ["Commentaire", "Visa facilitatrice"]


def test_empty_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet():
    rows = [*months("03/2025", "04/2025"), line(month="05/2025", hours="abc")]
    data = workbook(rows, blank_rows=(1, 2))  # empty rows before the 2nd and 3rd data rows
    report = assert_refused(data)
    assert report.rows_read == 3
    assert errors(report) == [(6, "Heures", "nombre attendu (virgule ou point décimal, par exemple 151,67)")]
    ok = run(workbook(months("03/2025", "04/2025"), blank_rows=(1,)))
    assert ok.imported and ok.rows_read == 2 and HoursEntry.objects.count() == 2


def test_missing_required_columns_are_named():
    titles = [t for t in TITLES if t not in ("Heures", "Mois")]
    report = run(workbook([line()], titles=titles))
    assert report.fatal == "colonnes obligatoires absentes : « Mois », « Heures »."


def test_no_header_is_unreadable():
    book = workbook([], titles=[None])
    report = run(book)
    assert report.fatal and "ligne 1" in report.fatal


def test_titles_only_imports_nothing_with_a_warning():
    report = run(workbook([]))
    assert not report.refused and report.rows_read == 0
    assert report.warnings == ["Aucune ligne de données sous la ligne des titres."]


# --------------------------------------------------------------------------------------------------
# Values


def test_dates_as_text_and_as_real_dates_name_one_person():
    rows = [
        line(month="03/2025", birth_date=datetime.date(1987, 3, 12)),
        line(month="04/2025", birth_date="12/03/1987", start="03/02/2025", end="2025-07-31"),
        line(month="05/2025", birth_date="1987-03-12", start="2025-02-03", end="31/07/2025"),
        line(month="06/2025", birth_date=datetime.datetime(1987, 3, 12, 0, 0), first_name="ELODIE"),
    ]
    report = run(workbook(rows))
    assert report.imported, report.lines()
    assert Participant.objects.count() == 1
    assert Assignment.objects.get().starts_on == datetime.date(2025, 2, 3)
    assert HoursEntry.objects.count() == 4


@pytest.mark.parametrize(
    "value",
    [
        "03/2025",
        "3/2025",
        "2025-03",
        "mars 2025",
        "Mars 2025",
        "MARS-2025",
        "mar. 2025",
        "15/03/2025",
        "2025-03-15",
        datetime.date(2025, 3, 15),
        datetime.datetime(2025, 3, 31, 0, 0),
    ],
)
def test_every_month_form(value):
    assert month_of(value) == datetime.date(2025, 3, 1)


def test_months_in_every_form_in_one_file():
    rows = months("02/2025", "2025-03", "avril 2025", "15/05/2025", "2025-06-30") + [
        line(month=datetime.date(2025, 7, 1))
    ]
    report = run(workbook(rows))
    assert report.imported, report.lines()
    assert sorted(HoursEntry.objects.values_list("month", flat=True)) == [
        datetime.date(2025, m, 1) for m in range(2, 8)
    ]


def test_decimal_commas_and_points():
    rows = [
        line(month="03/2025", hours="151,67", training_hours="3,5"),
        line(month="04/2025", hours="120.5", training_hours=" 7 "),
        line(month="05/2025", hours=98.25, training_hours=None),
        line(month="06/2025", hours="1\u00a0,5"),
    ]
    report = run(workbook(rows, titles=TITLES))
    assert report.imported, report.lines()
    got = dict(HoursEntry.objects.values_list("month__month", "hours"))
    assert got == {3: Decimal("151.67"), 4: Decimal("120.50"), 5: Decimal("98.25"), 6: Decimal("1.50")}
    assert HoursEntry.objects.get(month__month=3).training_hours == Decimal("3.50")
    assert HoursEntry.objects.get(month__month=5).training_hours == Decimal(0)


def test_hours_out_of_range_are_refused():
    rows = [
        line(month="03/2025", hours=745),
        line(month="04/2025", hours="-1"),
        line(month="05/2025", training_hours="800"),
        line(month="06/2025", hours=744),
    ]
    report = assert_refused(workbook(rows))
    assert errors(report) == [
        (2, "Heures", "au plus 744 heures dans un mois (31 jours × 24 h)"),
        (3, "Heures", "les heures ne peuvent pas être négatives"),
        (4, "Heures formation", "au plus 744 heures dans un mois (31 jours × 24 h)"),
    ]
    assert report.errors[0].value == "745" and report.errors[0].col == TITLES.index("Heures") + 1


def test_unknown_modality_and_contract_type():
    rows = [line(modality="Intérim d'insertion"), line(month="04/2025", contract_type="CDD senior")]
    report = assert_refused(workbook(rows))
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (2, "Modalité", "Intérim d'insertion"),
        (3, "Type de contrat", "CDD senior"),
    ]
    assert report.errors[0].reason.startswith("modalité inconnue ; valeurs possibles : Embauche directe")
    assert report.errors[1].reason.startswith("type de contrat inconnu")


def test_modality_and_contract_labels_in_other_spellings():
    rows = [
        line(modality="mise a disposition etti", employer="INTERM'AIDE", contract_type="interim"),
        line(month="04/2025", modality="MAD ETTI", employer="Interm'aide", contract_type="Intérim"),
    ]
    report = run(workbook(rows))
    assert report.imported, report.lines()
    a = Assignment.objects.get()
    assert (a.modality, a.contract_type, a.employer.kind) == ("etti", "interim", Company.Kind.ETTI)
    assert a.company.name == "BATI NORD SAS"


def test_siret_failing_luhn_is_refused_and_spaces_are_allowed():
    report = assert_refused(workbook([line(siret="52601815590834")]))
    assert errors(report) == [
        (2, "SIRET entreprise", "SIRET invalide : la clé de contrôle (formule de Luhn) est fausse")
    ]
    report = assert_refused(workbook([line(siret="5260181559")]))
    assert "14 chiffres" in report.errors[0].reason
    ok = run(workbook([line(siret="526 018 155 90833")]))
    assert ok.imported and Company.objects.get().siret == "52601815590833"


def test_sex_qpv_level_and_publics_variants():
    people = [
        line(last_name="A", sex="Femme", qpv="x", level="Niveau 3", publics="DELD, rsa"),
        line(last_name="B", sex="M", qpv="n", level="5 et plus", publics="Jeune -26; Senior 50+"),
        line(last_name="C", sex="homme", qpv="VRAI", level="infra 3", publics="Réfugié"),
        line(last_name="D", sex="H", qpv=None, level=None, publics=None),
        line(last_name="E", sex="F", qpv=0, level=4, publics="PASS IAE ; QPV ; ZRR"),
    ]
    report = run(workbook(people))
    assert report.imported, report.lines()
    got = {
        p.last_name: (p.sex, p.qpv, p.level, sorted(p.criteria.values_list("code", flat=True)))
        for p in Participant.objects.all()
    }
    assert got == {
        "A": ("F", True, "3", ["DELD", "RSA"]),
        "B": ("H", False, "5+", ["Jeune -26", "Senior 50+"]),
        "C": ("H", True, "infra 3", ["Réfugié"]),
        "D": ("H", None, "", []),
        "E": ("F", False, "4", ["PASS IAE", "QPV", "ZRR"]),
    }


def test_bad_sex_qpv_level_publics_and_dates():
    rows = [
        line(sex="X"),
        line(month="04/2025", qpv="peut-être"),
        line(month="05/2025", level="bac+2"),
        line(month="06/2025", publics="DELD; chômeur"),
        line(month="07/2025", birth_date="31/02/1987"),
        line(month="07/2025", last_name="Autre", start="2025/02/03"),
        line(month="13/2025", last_name="Encore"),
    ]
    report = assert_refused(workbook(rows))
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "Sexe"),
        (3, "QPV"),
        (4, "Niveau"),
        (5, "Publics"),
        (6, "Date de naissance"),
        (7, "Début contrat"),
        (8, "Mois"),
    ]
    assert "« chômeur »" in report.errors[3].reason
    assert report.errors[4].reason == "cette date n'existe pas"


def test_required_values_and_end_before_start():
    rows = [line(last_name=None), line(month="04/2025", end=datetime.date(2025, 1, 31))]
    report = assert_refused(workbook(rows))
    assert errors(report) == [
        (2, "Nom", "valeur obligatoire"),
        (3, "Fin contrat", "la fin du contrat précède son début"),
    ]


def test_month_outside_the_contract_is_refused():
    rows = [
        line(month="01/2025"),  # before the start (03/02/2025)
        line(month="02/2025"),  # the month of the start: fine
        line(month="08/2025"),  # after the end (31/07/2025)
    ]
    report = assert_refused(workbook(rows))
    assert errors(report) == [
        (2, "Mois", "mois hors du contrat (du 03/02/2025 au 31/07/2025)"),
        (4, "Mois", "mois hors du contrat (du 03/02/2025 au 31/07/2025)"),
    ]


def test_same_assignment_and_month_twice_is_a_duplicate_line():
    rows = [
        line(month="03/2025"),
        line(month="04/2025"),
        line(month="2025-03", hours=10, first_name="ELODIE"),
    ]
    report = assert_refused(workbook(rows))
    assert errors(report) == [
        (4, "Mois", "ligne en double : même mise à l'emploi et même mois que la ligne 2"),
    ]
    # another contract type is another assignment: not a duplicate
    ok = run(workbook([line(), line(contract_type="CDDI")]))
    assert ok.imported and Assignment.objects.count() == 2


def test_planned_hours_different_for_an_existing_lot_is_refused():
    lot = LotFactory(market=MarketFactory(buyer=BuyerFactory(name="CUD"), reference="M-1"), number="3")
    ClauseFactory(lot=lot, stated_hours=Decimal("1000"))
    base = {"buyer": "CUD", "market_ref": "M-1", "lot": "Lot 3"}
    report = assert_refused(workbook([line(planned_hours=1200, **base)]))
    assert errors(report) == [
        (
            2,
            "Heures prévues",
            "heures prévues différentes de celles du lot existant (1\u202f000,00 h) : "
            "corrigez la ligne ou la clause du lot",
        )
    ]
    ok = run(
        workbook([line(planned_hours="1000,00", **base), line(month="04/2025", planned_hours=None, **base)])
    )
    assert ok.imported, ok.lines()
    assert ok.counts["lots"].unchanged == 1 and ok.counts["clauses"].unchanged == 1
    assert Assignment.objects.get().lot == lot


def test_planned_hours_required_for_a_new_lot_and_consistent_in_the_file():
    report = assert_refused(workbook([line(planned_hours=None), line(month="04/2025", planned_hours=None)]))
    assert errors(report) == [(2, "Heures prévues", "heures prévues obligatoires pour un nouveau lot")]
    report = assert_refused(workbook([line(planned_hours=833), line(month="04/2025", planned_hours=900)]))
    assert errors(report) == [
        (
            3,
            "Heures prévues",
            "heures prévues différentes de celles de la ligne 2 pour le même lot (833,00 h)",
        )
    ]
    # given on one row of the lot only: enough
    ok = run(workbook([line(planned_hours=None), line(month="04/2025", planned_hours=833)]))
    assert ok.imported and Clause.objects.get().stated_hours == Decimal(833)


def test_market_title_required_for_a_new_market():
    report = assert_refused(workbook([line(market_title=None)]))
    assert errors(report) == [(2, "Intitulé marché", "intitulé obligatoire pour un nouveau marché")]
    market = MarketFactory(
        buyer=BuyerFactory(name="Communauté urbaine de Dunkerque"), reference="CUD-2025-014"
    )
    ok = run(workbook([line(market_title=None, operation=None)]))
    assert ok.imported and ok.counts["markets"].unchanged == 1 and ok.counts["buyers"].unchanged == 1
    ok = run(workbook([line(market_title=None, month="04/2025")]))  # its operation was empty: filled
    assert ok.imported and ok.counts["markets"].updated == 1 and ok.counts["operations"].created == 1
    market.refresh_from_db()
    assert market.operation.name == "NPNRU Banc-Vert"


def test_formulas_give_their_cached_values():
    titles = TITLES
    hours_col = chr(ord("A") + titles.index("Heures"))
    name_col = chr(ord("A") + titles.index("Nom"))
    rows = [line(hours="=100+51.67", last_name='=CONCAT("Du","pont")'), line(month="04/2025", hours="=2*60")]
    data = with_cached_values(
        workbook(rows),
        {f"{hours_col}2": "151.67", f"{name_col}2": ("str", "Dupont"), f"{hours_col}3": "120"},
    )
    report = run(data)
    assert report.imported, report.lines()
    assert sorted(HoursEntry.objects.values_list("hours", flat=True)) == [
        Decimal("120.00"),
        Decimal("151.67"),
    ]
    assert Participant.objects.get().last_name == "Dupont"


def test_formula_without_cached_value_is_an_empty_required_cell():
    report = assert_refused(workbook([line(hours="=100+51.67")]))
    assert errors(report) == [(2, "Heures", "valeur obligatoire")]


def test_exported_neutralised_text_is_read_back_without_the_apostrophe():
    report = run(workbook([line(job="'-Manœuvre")]))
    assert report.imported and Assignment.objects.get().job == "-Manœuvre"
