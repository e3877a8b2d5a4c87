"""python manage.py bilan: the JSON equals the hand-written dicts; unknown or ambiguous scopes and bad
periods end with a French message and exit status 2."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.markets.factories import MarketFactory
from tests.reporting.test_indicators import BATI_JSON, CUD_JSON, TERRITORY_JSON, VGS_MARKET_JSON

PERIOD = ["--from", "2025-01-01", "--to", "2025-06-30"]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("bilan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_to_stdout_is_the_hand_written_dict(bilan_data):
    out, _ = run("--buyer", "Communauté Urbaine de Dunkerque", *PERIOD, "--format", "json", "--output", "-")
    assert json.loads(out) == CUD_JSON


def test_a_month_alone_is_its_first_day_from_and_its_last_day_to(bilan_data):
    """Dates are read by clauses_site.months.parse_date: « 2025-06 » as --to is 30 June."""
    out, _ = run(
        "--buyer", "Communauté Urbaine de Dunkerque", "--from", "01/01/2025", "--to", "2025-06",
        "--format", "json", "--output", "-",
    )  # fmt: skip
    assert json.loads(out) == CUD_JSON


def test_names_match_without_case_or_accents(bilan_data):
    out, _ = run("--buyer", "communaute urbaine de DUNKERQUE", *PERIOD, "--format", "json", "--output", "-")
    assert json.loads(out)["scope"]["name"] == "Communauté Urbaine de Dunkerque"


def test_company_by_name_or_siret_market_territory(bilan_data, tmp_path):
    out, _ = run("--company", "BATI NORD", *PERIOD, "--format", "json", "--output", "-")
    assert json.loads(out) == BATI_JSON
    out, _ = run("--company", bilan_data.bati.siret, *PERIOD, "--format", "json", "--output", "-")
    assert json.loads(out) == BATI_JSON
    out, _ = run("--market", "vgs-2025-003", *PERIOD, "--format", "json", "--output", "-")
    assert json.loads(out) == VGS_MARKET_JSON
    path = tmp_path / "territoire.json"
    _, err = run("--territory", *PERIOD, "--format", "json", "--output", str(path))
    assert json.loads(path.read_text()) == TERRITORY_JSON
    assert "Bilan écrit" in err


def test_anonymise_small_only_when_asked(bilan_data):
    out, _ = run(
        "--market", "VGS-2025-003", *PERIOD, "--format", "json", "--output", "-", "--anonymise-small"
    )
    data = json.loads(out)
    assert data["by_sex"] == {"F": "< 3", "H": "< 3"} and data["people"] == 2
    out, _ = run("--market", "VGS-2025-003", *PERIOD, "--format", "json", "--output", "-")
    assert json.loads(out)["by_sex"] == {"F": 1, "H": 1}


def test_pdf_and_xlsx_files(bilan_data, tmp_path):
    run("--buyer", "Ville de Grande-Synthe", *PERIOD, "--format", "pdf", "--output", str(tmp_path / "b.pdf"))
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    run(
        "--buyer", "Ville de Grande-Synthe", *PERIOD, "--format", "xlsx", "--output", str(tmp_path / "b.xlsx")
    )
    assert (tmp_path / "b.xlsx").read_bytes().startswith(b"PK")


def test_ambiguous_market_is_resolved_with_the_buyer(bilan_data):
    MarketFactory(buyer=bilan_data.cud, reference="VGS-2025-003", title="Homonyme")
    with pytest.raises(CommandError) as error:
        run("--market", "VGS-2025-003", *PERIOD, "--format", "json", "--output", "-")
    assert error.value.returncode == 2
    assert "désigne plusieurs marchés" in str(error.value) and "--buyer" in str(error.value)
    out, _ = run(
        "--market",
        "VGS-2025-003",
        "--buyer",
        "Ville de Grande-Synthe",
        *PERIOD,
        "--format",
        "json",
        "--output",
        "-",
    )
    assert json.loads(out) == VGS_MARKET_JSON


@pytest.mark.parametrize(
    "args,message",
    [
        (["--buyer", "Mairie de Nulle-Part", *PERIOD], "Donneur d'ordre inconnu : « Mairie de Nulle-Part »"),
        (["--buyer", "Ville", *PERIOD], "Donneurs d'ordre proches : « Ville de Grande-Synthe »"),
        (["--company", "Inconnue SARL", *PERIOD], "Entreprise inconnue"),
        (["--company", "732 829 320 00074", *PERIOD], "Aucune entreprise n'a le SIRET 73282932000074"),
        (["--market", "XX-0000", *PERIOD], "Marché inconnu : référence « XX-0000 »"),
        (["--market", "CUD-2025-001", "--buyer", "Ville de Grande-Synthe", *PERIOD], "Marché inconnu chez"),
        (["--territory", "--from", "2025-07-01", "--to", "2025-06-30"], "La période est inversée"),
        (["--territory", "--from", "2025-02-30", "--to", "2025-06-30"], "Date de début (--from) invalide"),
        ([*PERIOD], "Choisissez un périmètre, et un seul"),
        (
            ["--territory", "--buyer", "Ville de Grande-Synthe", *PERIOD],
            "Choisissez un périmètre, et un seul",
        ),
    ],
)
def test_exit_status_2(bilan_data, args, message):
    with pytest.raises(CommandError) as error:
        run(*args, "--format", "json", "--output", "-")
    assert error.value.returncode == 2
    assert message in str(error.value)


def test_the_process_exits_with_status_2(bilan_data, monkeypatch, capsys):
    """Through the real entry point (manage.py → run_from_argv → sys.exit)."""
    from django.core.management import ManagementUtility
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's connection
    utility = ManagementUtility(["manage.py", "bilan", "--buyer", "Personne", *PERIOD, "--output", "-"])
    with pytest.raises(SystemExit) as exit_:
        utility.execute()
    assert exit_.value.code == 2
    assert "Donneur d'ordre inconnu" in capsys.readouterr().err
