"""Screens of the pipeline: the board of markets by stage (moving a card is a POST; htmx swaps the board
in place), the conversion table, the calendar of expected publications, the markets to study per buyer,
and the « Marchés à venir » list for the Club ESS (page, PDF, xlsx)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_POST

from clauses_site import roles
from clauses_site.exports import Column, xlsx_response
from clauses_site.pdf import write_pdf
from markets import pipeline
from markets.models import Market, Stage


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label="étape", choices=Stage.choices)


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _board_context(request, moved=None, confirm=None):
    board = pipeline.board()
    order = Stage.pipeline()
    # The « Déplacer… » menu of a card only depends on its stage: built once per stage.
    menus = {
        stage: format_html_join(
            "",
            '<button type="submit" name="stage" value="{}" class="list-group-item list-group-item-action '
            'py-1 small">{}</button>',
            ((other.value, other.label) for other in Stage if other != stage),
        )
        for stage in Stage
    }
    for column in [*board.columns, board.dropped]:
        for market in column.cards:
            market.move_menu = menus[market.stage]
            # The arrows of a card: the stages just before and after its own (none for dropped ones).
            index = order.index(market.stage) if market.stage in order else None
            market.previous_stage = order[index - 1] if index else None
            market.next_stage = order[index + 1] if index is not None and index + 1 < len(order) else None
    return {
        "board": board,
        "stages": list(Stage),
        "before_publication": pipeline.BEFORE_PUBLICATION,
        "moved": moved,
        "confirm": confirm,
        "can_move": roles.can_edit(request.user),
    }


@require_GET
def pipeline_view(request):
    return _pipeline_page(request)


def _pipeline_page(request, confirm=None):
    """The pipeline page (board, conversion, calendar, markets to study), with a move to confirm."""
    today = timezone.localdate()
    context = _board_context(request, confirm=confirm)
    context.update(
        today=today,
        reached=pipeline.reached_by_stage(today.year),
        proposals=pipeline.proposals(today.year),
        calendar=pipeline.publication_calendar(today=today),
        to_study=pipeline.to_study(),
    )
    return render(request, "markets/pipeline.html", context)


def _market_to_move(user, pk):
    """The market a user may move: editors only, archived markets are not on the board."""
    if not roles.can_edit(user):
        raise PermissionDenied
    return get_object_or_404(Market.objects.filter(archived=False), pk=pk)


def _confirmation(market, stage):
    """What the board shows before a move that needs a confirmation (Market.stage_move)."""
    return {"market": market, "stage": stage, "move": market.stage_move(stage)}


@require_POST
def pipeline_move(request, pk):
    """Move a card. A move that skips stages, closes or reopens a market is made only when the POST
    confirms that stage (confirme=<stage>, sent by the confirmation's « Confirmer »); without it nothing
    changes and the board (or the page, without JavaScript) answers with the confirmation."""
    market = _market_to_move(request.user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        text = "Étape inconnue : choisissez une étape de la liste."
        if _is_htmx(request):
            context = _board_context(request, moved={"error": text})
            return render(request, "markets/pipeline.html#board", context, status=400)
        messages.error(request, text)
        return redirect("markets:pipeline")
    stage = Stage(form.cleaned_data["stage"])
    if market.stage_move(stage).needs_confirmation and request.POST.get("confirme") != stage:
        confirm = _confirmation(market, stage)
        if _is_htmx(request):
            return render(request, "markets/pipeline.html#board", _board_context(request, confirm=confirm))
        return _pipeline_page(request, confirm=confirm)
    market.move_to(stage, request.user)
    text = f"« {market.reference} » est passé à l'étape « {stage.label} »."
    if _is_htmx(request):
        return render(
            request,
            "markets/pipeline.html#board",
            _board_context(request, moved={"text": text, "stage": stage}),
        )
    messages.success(request, text)
    return redirect(f"{reverse('markets:pipeline')}#marche-{market.pk}")


# --- « Marchés à venir » (Club ESS) ------------------------------------------------------------------------


def _upcoming(today):
    """The Club ESS list, each market with its clause type in short (one query)."""
    markets = list(pipeline.upcoming(today=today))
    for market in markets:
        market.clause_short = pipeline.short_clause_type(market.planned_clause_type)
    return markets


def _upcoming_columns():
    return [
        Column("Intitulé", lambda m: m.title, width=50),
        Column("Donneur d'ordre", lambda m: m.buyer.name, width=32),
        Column("Secteur", lambda m: m.sector.name if m.sector else "", width=24),
        Column("Publication prévue", lambda m: m.expected_publication, kind="date", width=14),
        Column("Montant estimé HT (€)", lambda m: m.pipeline_amount, kind="money", width=18),
        Column(
            "Type de clause envisagé", lambda m: pipeline.short_clause_type(m.planned_clause_type), width=36
        ),
    ]


@require_GET
def upcoming_view(request):
    today = timezone.localdate()
    return render(request, "markets/pipeline_upcoming.html", {"markets": _upcoming(today), "today": today})


@require_GET
def upcoming_xlsx(request):
    today = timezone.localdate()
    return xlsx_response(
        f"marches-a-venir-{today:%Y-%m-%d}.xlsx",
        _upcoming_columns(),
        pipeline.upcoming(today=today),
        sheet_title="Marchés à venir",
    )


@require_GET
def upcoming_pdf(request):
    from reporting.bilan import logo_path  # the team's logo, as on the bilans

    today = timezone.localdate()
    html = render_to_string(
        "markets/pipeline_upcoming_pdf.html",
        {"markets": _upcoming(today), "today": today, "logo_url": logo_path().as_uri()},
        request=request,
    )
    pdf = write_pdf(html, base_url=str(settings.BASE_DIR))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="marches-a-venir-{today:%Y-%m-%d}.pdf"'
    return response
