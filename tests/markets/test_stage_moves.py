"""Guardrails on a market's moves between stages (markets.StageMove): which moves need a confirmation and
what they say, in French; the pipeline board and the market form make such a move only once confirmed,
and the stage history keeps who and which day."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from markets.models import Market, Stage, StageChange, StageMove
from tests.editing import post_edit
from tests.factories import UserFactory
from tests.markets.factories import MarketFactory

S = Stage
CONVERSION_ONE = "Cette étape ne sera pas comptée comme atteinte dans le tableau de conversion."
CONVERSION_MANY = "Ces étapes ne seront pas comptées comme atteintes dans le tableau de conversion."
NOT_FOLLOWED = "Il ne comptera plus parmi les marchés suivis (Activité de l'équipe)."
LOTS_STAY = "Ses lots restent au tableau de bord tant que leurs dates d'exécution courent."
LOTS_LEAVE = (
    "Ses lots sortiront du tableau de bord (lots en exécution, lots à risque, heures restant dues) et des "
    "lots en exécution de l'Activité de l'équipe."
)

# --- the rule -----------------------------------------------------------------------------------------

#: (from, to): the message, "" when the move needs no confirmation.
MOVES = {
    "next stage": (S.SPOTTED, S.STUDY, ""),
    "next stage, later on": (S.AWARDED, S.EXECUTION, ""),
    "back one": (S.PUBLISHED, S.IN_TENDER_DOCS, ""),
    "back one from finished": (S.FINISHED, S.EXECUTION, ""),
    "skip one": (
        S.SPOTTED,
        S.PROPOSED,
        "Ce marché passera de « Repéré » à « Clause proposée » sans passer par : À l'étude. "
        f"{CONVERSION_ONE}",
    ),
    "skip several": (
        S.STUDY,
        S.PUBLISHED,
        "Ce marché passera de « À l'étude » à « Consultation publiée » sans passer par : Clause proposée, "
        f"Clause intégrée au DCE. {CONVERSION_MANY}",
    ),
    "spotted to finished": (
        S.SPOTTED,
        S.FINISHED,
        "Ce marché passera de « Repéré » à « Terminé » sans passer par : À l'étude, Clause proposée, "
        f"Clause intégrée au DCE, Consultation publiée, Attribué, En exécution. {CONVERSION_MANY} "
        f"{NOT_FOLLOWED} {LOTS_STAY}",
    ),
    "finish from execution (next stage, but closing)": (
        S.EXECUTION,
        S.FINISHED,
        "Ce marché passera de « En exécution » à « Terminé ». Il ne comptera plus parmi les marchés suivis "
        f"ni parmi ceux en exécution (Activité de l'équipe). {LOTS_STAY}",
    ),
    "back two": (
        S.AWARDED,
        S.IN_TENDER_DOCS,
        "Ce marché reviendra de « Attribué » à « Clause intégrée au DCE » sans repasser par : "
        "Consultation publiée.",
    ),
    "back from finished to spotted": (
        S.FINISHED,
        S.SPOTTED,
        "Ce marché reviendra de « Terminé » à « Repéré » sans repasser par : En exécution, Attribué, "
        "Consultation publiée, Clause intégrée au DCE, Clause proposée, À l'étude. Il comptera de nouveau "
        "parmi les marchés suivis (Activité de l'équipe).",
    ),
    "dropped from spotted": (
        S.SPOTTED,
        S.DROPPED,
        f"Ce marché passera de « Repéré » à « Abandonné / sans clause ». {NOT_FOLLOWED} {LOTS_LEAVE}",
    ),
    "dropped from execution": (
        S.EXECUTION,
        S.DROPPED,
        "Ce marché passera de « En exécution » à « Abandonné / sans clause ». Il ne comptera plus parmi "
        f"les marchés suivis ni parmi ceux en exécution (Activité de l'équipe). {LOTS_LEAVE}",
    ),
    "dropped once finished": (
        S.FINISHED,
        S.DROPPED,
        f"Ce marché passera de « Terminé » à « Abandonné / sans clause ». {LOTS_LEAVE}",
    ),
    "back from dropped": (
        S.DROPPED,
        S.STUDY,
        "Ce marché passera de « Abandonné / sans clause » à « À l'étude ». Il comptera de nouveau parmi "
        "les marchés suivis (Activité de l'équipe). Ses lots en cours d'exécution reviendront au tableau "
        "de bord.",
    ),
    "finished from dropped": (
        S.DROPPED,
        S.FINISHED,
        "Ce marché passera de « Abandonné / sans clause » à « Terminé ». Ses lots en cours d'exécution "
        "reviendront au tableau de bord.",
    ),
}


@pytest.mark.parametrize(("origin", "target", "message"), MOVES.values(), ids=MOVES.keys())
def test_which_moves_need_a_confirmation_and_what_they_say(origin, target, message):
    move = StageMove(origin, target)
    assert move.needs_confirmation == bool(message)
    assert move.message == message


def test_the_confirmation_title_says_the_kind_of_move():
    assert StageMove(S.SPOTTED, S.PUBLISHED).title == "Sauter des étapes ?"
    assert StageMove(S.AWARDED, S.STUDY).title == "Sauter des étapes ?"
    assert StageMove(S.SPOTTED, S.FINISHED).title == "Clore ce marché ?"
    assert StageMove(S.EXECUTION, S.DROPPED).title == "Clore ce marché ?"
    assert StageMove(S.DROPPED, S.STUDY).title == "Remettre ce marché dans le pipeline ?"


def test_a_market_gives_the_move_from_its_stage():
    market = Market(stage=S.SPOTTED)
    assert market.stage_move("termine") == StageMove(S.SPOTTED, S.FINISHED)
    assert market.stage_move(S.STUDY).needs_confirmation is False


# --- the pipeline board ---------------------------------------------------------------------------------


@pytest.fixture
def claire(db):
    return UserFactory(username="claire", first_name="Claire", last_name="Vasseur", facilitator=True)


@pytest.fixture
def spotted(db):
    return MarketFactory(
        reference="VDK-2027-001", title="Piscine", stage=S.SPOTTED, starts_on=None, ends_on=None
    )


def _moved(market):
    market.refresh_from_db()
    return market.stage, list(StageChange.objects.filter(market=market).values_list("stage", "by__username"))


def test_a_skipping_move_without_confirmation_changes_nothing_and_asks(client, claire, spotted):
    client.force_login(claire)
    url = reverse("markets:pipeline_move", args=[spotted.pk])
    response = client.post(url, {"stage": S.FINISHED})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert '<section class="pipeline-confirm' in html and "« VDK-2027-001 » — Clore ce marché ?" in html
    assert StageMove(S.SPOTTED, S.FINISHED).sentences[0] in html
    assert f'<input type="hidden" name="confirme" value="{S.FINISHED}">' in html
    assert "Conversion" in html  # the whole page, without JavaScript
    assert _moved(spotted) == (S.SPOTTED, [])

    # A confirmation of another stage confirms nothing.
    response = client.post(url, {"stage": S.FINISHED, "confirme": S.DROPPED}, HTTP_HX_REQUEST="true")
    html = unescape(response.content.decode())
    assert response.status_code == 200 and html.lstrip().startswith('<div id="pipeline-board"')
    assert 'data-pipeline-confirm data-market="' in html and "pipeline-card-pending" in html
    assert _moved(spotted) == (S.SPOTTED, [])


def test_a_confirmed_move_is_made_with_who_and_when(client, claire, spotted):
    client.force_login(claire)
    url = reverse("markets:pipeline_move", args=[spotted.pk])
    response = client.post(url, {"stage": S.FINISHED, "confirme": S.FINISHED}, HTTP_HX_REQUEST="true")
    html = unescape(response.content.decode())
    assert response.status_code == 200 and "« VDK-2027-001 » est passé à l'étape « Terminé »." in html
    assert "data-pipeline-confirm " not in html
    assert _moved(spotted) == (S.FINISHED, [(S.FINISHED, "claire")])
    change = StageChange.objects.get(market=spotted)
    assert change.date == timezone.localdate() and spotted.stage_reached_on == timezone.localdate()
    # The market's page shows the history: which day, which stage, who.
    page = unescape(client.get(spotted.get_absolute_url()).content.decode())
    assert (
        f'{timezone.localdate():%d/%m/%Y} — Terminé <span class="text-body-secondary">(Claire Vasseur)'
        in page
    )


def test_the_next_stage_and_back_one_need_no_confirmation(client, claire, spotted):
    client.force_login(claire)
    url = reverse("markets:pipeline_move", args=[spotted.pk])
    assert client.post(url, {"stage": S.STUDY}).status_code == 302
    assert client.post(url, {"stage": S.SPOTTED}).status_code == 302
    assert _moved(spotted) == (S.SPOTTED, [(S.STUDY, "claire"), (S.SPOTTED, "claire")])


def test_a_dropped_card_comes_back_only_once_confirmed(client, claire):
    market = MarketFactory(reference="CUD-2026-010", stage=S.DROPPED, starts_on=None, ends_on=None)
    client.force_login(claire)
    url = reverse("markets:pipeline_move", args=[market.pk])
    html = unescape(client.post(url, {"stage": S.STUDY}, HTTP_HX_REQUEST="true").content.decode())
    assert "Remettre ce marché dans le pipeline ?" in html
    assert '<details class="pipeline-dropped" open>' in html  # its card shown, to give focus back to
    assert _moved(market) == (S.DROPPED, [])
    client.post(url, {"stage": S.STUDY, "confirme": S.STUDY})
    assert _moved(market) == (S.STUDY, [(S.STUDY, "claire")])


# --- the market form ------------------------------------------------------------------------------------


def test_the_market_form_asks_before_skipping_and_saves_nothing_before(client, claire, spotted):
    client.force_login(claire)
    url = reverse("markets:market_update", kwargs={"pk": spotted.pk})
    data = {"buyer": spotted.buyer_id, "reference": spotted.reference, "title": "Piscine olympique"}
    response = post_edit(client, url, {**data, "stage": S.PUBLISHED})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert StageMove(S.SPOTTED, S.PUBLISHED).sentences[0] in html
    assert f'<button type="submit" name="confirme" value="{S.PUBLISHED}"' in html
    assert 'value="Piscine olympique"' in html  # what was typed is kept for the confirmation
    assert _moved(spotted) == (S.SPOTTED, []) and spotted.title == "Piscine"

    response = post_edit(client, url, {**data, "stage": S.PUBLISHED, "confirme": S.PUBLISHED})
    assert response.status_code == 302
    assert (
        _moved(spotted) == (S.PUBLISHED, [(S.PUBLISHED, "claire")]) and spotted.title == "Piscine olympique"
    )


def test_the_market_form_moves_to_the_next_stage_at_once(client, claire, spotted):
    client.force_login(claire)
    url = reverse("markets:market_update", kwargs={"pk": spotted.pk})
    data = {"buyer": spotted.buyer_id, "reference": spotted.reference, "title": spotted.title}
    assert post_edit(client, url, {**data, "stage": S.STUDY}).status_code == 302
    assert _moved(spotted) == (S.STUDY, [(S.STUDY, "claire")])
