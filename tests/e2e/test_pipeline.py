"""The pipeline in a real browser: a facilitator moves a card and sees the stage counts change, with
htmx (the board is swapped in place) and without JavaScript (a plain form post); a move that skips stages
or closes a market asks first, and « Annuler » or Escape leaves everything as it was."""

import re

from playwright.sync_api import expect

from markets.models import Market, Stage, StageChange
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory


def test_a_facilitator_moves_a_card_and_the_counts_change(login, live_server, pipeline_markets):
    page = login(pipeline_markets)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Pipeline").click()
    expect(page.get_by_role("heading", name="Pipeline des marchés")).to_be_visible()
    expect(page.get_by_test_id("count-repere")).to_have_text("2")
    expect(page.get_by_test_id("count-etude")).to_have_text("1")
    board = page.get_by_test_id("board")
    page.get_by_role("button", name="M-1 : passer à « À l'étude »").click()
    expect(page.get_by_test_id("count-repere")).to_have_text("1")
    expect(page.get_by_test_id("count-etude")).to_have_text("2")
    expect(page).to_have_url(re.compile(r"/marches/pipeline/$"))  # swapped in place: no reload
    expect(board.get_by_role("status")).to_have_text("« M-1 » est passé à l'étape « À l'étude ».")
    # The « Déplacer… » menu reaches any stage.
    card = page.locator("article", has_text="M-3")
    card.get_by_text("Déplacer…").click()
    card.get_by_role("button", name="Abandonné / sans clause").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()  # closing: confirmed
    expect(page.get_by_test_id("count-etude")).to_have_text("1")
    expect(page.get_by_test_id("count-abandonne")).to_have_text("1")
    assert Market.objects.get(reference="M-1").stage == Stage.STUDY
    assert StageChange.objects.filter(
        market__reference="M-3", stage=Stage.DROPPED, by=pipeline_markets
    ).exists()


def test_moving_a_card_works_without_javascript(browser, live_server, pipeline_markets):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    sign_in(page, live_server.url, pipeline_markets)
    page.goto(f"{live_server.url}/marches/pipeline/")
    page.get_by_role("button", name="M-2 : passer à « À l'étude »").click()
    expect(page.get_by_role("alert")).to_contain_text("« M-2 » est passé à l'étape « À l'étude ».")
    expect(page.get_by_test_id("count-repere")).to_have_text("1")
    expect(page.get_by_test_id("count-etude")).to_have_text("2")
    context.close()


def test_a_reader_sees_the_board_without_buttons(login, live_server, pipeline_markets):
    page = login(UserFactory(username="marc", reader=True))
    page.goto(f"{live_server.url}/marches/pipeline/")
    expect(page.get_by_test_id("count-repere")).to_have_text("2")
    expect(page.get_by_role("button", name=re.compile("passer à"))).to_have_count(0)
    expect(page.get_by_text("Consultation seule")).to_be_visible()


def test_drag_a_card_onto_another_column(login, live_server, pipeline_markets):
    page = login(pipeline_markets)
    page.goto(f"{live_server.url}/marches/pipeline/")
    card = page.locator("article", has_text="M-2")
    card.locator(".pipeline-meta").first.drag_to(
        page.locator(".pipeline-column[data-stage=publiee] .card-header")
    )
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("sans passer par : À l'étude, Clause proposée, Clause intégrée au DCE.")
    dialog.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_test_id("count-repere")).to_have_text("1")
    expect(page.get_by_test_id("count-publiee")).to_have_text("1")
    assert Market.objects.get(reference="M-2").stage == Stage.PUBLISHED


def test_skipping_to_finished_asks_first_cancel_changes_nothing(login, live_server, pipeline_markets):
    page = login(pipeline_markets)
    page.goto(f"{live_server.url}/marches/pipeline/")
    card = page.locator("article", has_text="M-1")
    card.get_by_text("Déplacer…").click()
    card.get_by_role("button", name="Terminé").click()
    dialog = page.get_by_role("dialog", name="« M-1 » — Clore ce marché ?")
    expect(dialog).to_contain_text(
        "Ce marché passera de « Repéré » à « Terminé » sans passer par : À l'étude, Clause proposée, "
        "Clause intégrée au DCE, Consultation publiée, Attribué, En exécution."
    )
    confirm = dialog.get_by_role("button", name="Confirmer")
    expect(confirm).to_be_focused()
    expect(page.locator(f"#marche-{Market.objects.get(reference='M-1').pk}")).to_have_class(
        re.compile("pipeline-card-pending")
    )
    # « Annuler »: nothing moved, focus back on the card.
    dialog.get_by_role("link", name="Annuler").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("article", has_text="M-1")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/marches/pipeline/$"))
    expect(page.get_by_test_id("count-repere")).to_have_text("2")
    expect(page.get_by_test_id("count-termine")).to_have_text("0")
    assert Market.objects.get(reference="M-1").stage == Stage.SPOTTED
    assert not StageChange.objects.exists()

    # Escape cancels too.
    card = page.locator("article", has_text="M-1")
    card.get_by_text("Déplacer…").click()
    card.get_by_role("button", name="Terminé").click()
    expect(page.get_by_role("dialog").get_by_role("button", name="Confirmer")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("article", has_text="M-1")).to_be_focused()
    assert Market.objects.get(reference="M-1").stage == Stage.SPOTTED

    # Confirmed (by keyboard): moved, recorded with who.
    card = page.locator("article", has_text="M-1")
    card.get_by_text("Déplacer…").click()
    card.get_by_role("button", name="Terminé").click()
    expect(page.get_by_role("dialog").get_by_role("button", name="Confirmer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("count-termine")).to_have_text("1")
    expect(page.get_by_test_id("count-repere")).to_have_text("1")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_test_id("board").get_by_role("status")).to_have_text(
        "« M-1 » est passé à l'étape « Terminé »."
    )
    assert Market.objects.get(reference="M-1").stage == Stage.FINISHED
    assert list(StageChange.objects.values_list("market__reference", "stage", "by")) == [
        ("M-1", Stage.FINISHED, pipeline_markets.pk)
    ]


def test_without_javascript_the_confirmation_is_a_page(browser, live_server, pipeline_markets):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    sign_in(page, live_server.url, pipeline_markets)
    page.goto(f"{live_server.url}/marches/pipeline/")
    card = page.locator("article", has_text="M-3")
    card.get_by_text("Déplacer…").click()
    card.get_by_role("button", name="Abandonné / sans clause").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Ses lots sortiront du tableau de bord")
    dialog.get_by_role("link", name="Annuler").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_test_id("count-abandonne")).to_have_text("0")
    card = page.locator("article", has_text="M-3")
    card.get_by_text("Déplacer…").click()
    card.get_by_role("button", name="Abandonné / sans clause").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "« M-3 » est passé à l'étape « Abandonné / sans clause »."
    )
    expect(page.get_by_test_id("count-abandonne")).to_have_text("1")
    context.close()
