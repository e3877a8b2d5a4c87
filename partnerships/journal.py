"""The journal of meetings and actions, as other pages show it: the entries about a buyer, a market or a
company, and the follow-ups that have come (« À relancer »)."""

from django.utils import timezone

from partnerships.models import JournalEntry

LIMIT = 20


def _listed(entries):
    return entries.select_related("author").order_by("-date", "-pk")


def entries_for(obj, limit=LIMIT):
    """The latest journal entries about a buyer (its markets included), a market or a company."""
    entries = _listed(JournalEntry.objects.concerning(obj))
    return list(entries[:limit]) if limit else entries


def follow_ups_due(today=None, author=None, limit=None):
    """Follow-ups due on `today` or before, not done: the oldest first. `author`: only theirs."""
    today = today or timezone.localdate()
    entries = JournalEntry.objects.follow_ups_due(today).select_related("author")
    if author is not None:
        entries = entries.filter(author=author)
    entries = entries.order_by("follow_up_on", "pk")
    return list(entries[:limit]) if limit else entries
