"""Sections other pages show (one line each in their templates):

{% load partnerships_tags %}
{% journal_for buyer %}     the journal entries about a buyer, a market or a company (+ « Nouvelle entrée »)
{% participant_partnerships person %}   a participant's trainings and proposals (roles that see people)
{% follow_ups_panel %}      « À relancer » (journal follow-ups due) and outcomes to record: the dashboard
"""

from django import template
from django.utils import timezone

from clauses_site import roles
from companies.models import Company
from markets.models import Buyer, Market
from partnerships import followups, journal, needs, trainings

register = template.Library()

#: The query parameter that prefills a new journal entry with the object.
PREFILL_PARAM = {Buyer: "acheteur", Market: "marche", Company: "entreprise"}
#: The journal list's filter for the object.
LIST_FILTER = {Buyer: "buyer", Market: "market", Company: "company"}


@register.inclusion_tag("partnerships/includes/journal_for.html", takes_context=True)
def journal_for(context, obj, limit=journal.LIMIT):
    request = context.get("request")
    user = getattr(request, "user", None)
    entries = journal.entries_for(obj, limit=limit)
    return {
        "journal_entries": entries,
        "journal_object": obj,
        "prefill": f"{PREFILL_PARAM[type(obj)]}={obj.pk}",
        "list_filter": f"{LIST_FILTER[type(obj)]}={obj.pk}",
        "can_edit": bool(user) and roles.can_edit(user),
        "return_to": request.get_full_path() if request else "",
        "limit": limit,
        "today": timezone.localdate(),
    }


@register.inclusion_tag("partnerships/includes/participant_section.html", takes_context=True)
def participant_partnerships(context, person):
    request = context.get("request")
    user = getattr(request, "user", None)
    if not user or not roles.sees_people(user):
        return {"hidden": True}
    return {
        "person": person,
        "trainees": list(trainings.trainings_of(person)),
        "proposals": list(needs.proposals_of(person)),
        "can_edit": roles.can_edit(user),
    }


@register.inclusion_tag("partnerships/includes/follow_ups_due.html", takes_context=True)
def follow_ups_panel(context, limit=5):
    request = context.get("request")
    user = getattr(request, "user", None)
    today = timezone.localdate()
    due = journal.follow_ups_due(today)
    data = {
        "follow_ups": list(due[:limit]),
        "follow_up_count": due.count(),
        "today": today,
        "can_edit": bool(user) and roles.can_edit(user),
        "return_to": request.get_full_path() if request else "",
    }
    if user and roles.sees_people(user):
        data["end_outcomes_due"], data["six_month_outcomes_due"] = followups.due_counts(today)
    return data
