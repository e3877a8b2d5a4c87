"""The team's activity, per facilitator: markets followed, assignments and hours entered this month,
entries waiting for validation, and the lots in execution whose hours have not come back.

    activity.build(today=date) -> Activity

Definitions (where the issue was silent)
- The team: active users of the « Facilitatrice » and « Responsable » groups, and anyone in charge of
  a market (Market.facilitator); markets without one are gathered under « Sans facilitatrice ».
- Markets followed: markets in their charge, not archived, neither finished nor dropped; of which in
  execution (stage « En exécution »).
- Assignments entered this month: assignments created this calendar month by the user (the
  creation record of the assignment's history, django-simple-history).
- Hours entered this month: monthly entries created this calendar month by the user
  (HoursEntry.entered_by), as a number of entries and the worked hours typed (validated or not).
- Waiting for validation: draft entries on the lots of the markets in their charge.
- Lots in execution: as on the dashboard (reporting.dashboard.in_execution).
- Oldest month not collected, per lot in execution: for each assignment of the lot running at some
  point up to last month, the first month after its latest entry (draft or validated), or its first
  month when it has none, if that month is not after last month nor after the contract's end; the
  lot's oldest month is the earliest of its assignments'. A lot is late (« heures non remontées depuis
  2 mois ») when that month is two months or more before the current month (in March: January or
  earlier); the month just ended is being collected and is not late yet.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, DecimalField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clauses_site import formatting, roles
from clauses_site.months import add_months, first_of_month, month_index
from hours.models import Assignment, HoursEntry
from markets.models import Market, Stage
from reporting.dashboard import Selection, in_execution

ZERO = DecimalField(max_digits=14, decimal_places=2)
LATE_AFTER_MONTHS = 2
NO_FACILITATOR = "Sans facilitatrice"


@dataclass(frozen=True)
class LotCollection:
    lot: object  # markets.Lot (market, buyer and facilitator selected)
    oldest_missing: datetime.date | None  # first day of the oldest month not collected, None if up to date
    months_late: int  # whole months between that month and the current one (0 when up to date)
    late: bool


@dataclass
class Member:
    user: object  # auth.User, None for « Sans facilitatrice »
    markets: int = 0
    markets_in_execution: int = 0
    assignments_entered: int = 0
    entries_entered: int = 0
    hours_entered: object = 0
    drafts: int = 0
    draft_hours: object = 0
    lots: tuple = ()  # of LotCollection, the oldest missing month first

    @property
    def name(self):
        return formatting.person_name(self.user) if self.user is not None else NO_FACILITATOR

    @property
    def late_lots(self):
        return tuple(lot for lot in self.lots if lot.late)


@dataclass(frozen=True)
class Activity:
    today: datetime.date
    month: datetime.date
    late_before: datetime.date  # a lot is late when its oldest missing month is on or before this one
    members: tuple  # of Member

    @property
    def late_lots(self):
        return tuple(lot for m in self.members for lot in m.late_lots)


def _month_bounds(month):
    """The calendar month as aware datetimes [start, next month's start)."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(month, datetime.time.min, tzinfo=tz)
    return start, datetime.datetime.combine(add_months(month, 1), datetime.time.min, tzinfo=tz)


def oldest_missing_months(lots, today):
    """{lot id: first day of the oldest month not collected, or None} for a queryset of lots (1 query)."""
    month = first_of_month(today)
    last_month = add_months(month, -1)
    rows = (
        Assignment.objects.filter(lot__in=lots, starts_on__lt=month)
        .order_by()
        .values("pk", "lot", "starts_on", "ends_on")
        .annotate(last=Max("entries__month"))
    )
    oldest = {}
    for row in rows:
        missing = add_months(row["last"], 1) if row["last"] else first_of_month(row["starts_on"])
        limit = min(last_month, first_of_month(row["ends_on"])) if row["ends_on"] else last_month
        if missing <= limit:
            current = oldest.get(row["lot"])
            oldest[row["lot"]] = missing if current is None else min(current, missing)
    return oldest


def team(extra_user_ids=()):
    """The team's users (clauses_site.roles.team_members: by first then last name), plus the active users
    who follow a market, hold drafts or lots (1 query)."""
    return roles.team_members(also=Q(is_active=True, pk__in=list(extra_user_ids)))


def build(today=None):
    today = today or timezone.localdate()
    month = first_of_month(today)
    start, end = _month_bounds(month)
    late_before = add_months(month, -LATE_AFTER_MONTHS)

    followed = (
        Market.objects.filter(archived=False)
        .exclude(stage__in=[Stage.FINISHED, Stage.DROPPED])
        .order_by()
        .values("facilitator")
        .annotate(n=Count("pk"), in_execution=Count("pk", filter=Q(stage=Stage.EXECUTION)))
    )
    followed = {row["facilitator"]: row for row in followed}

    history = Assignment.history.model.objects.filter(
        history_type="+", history_date__gte=start, history_date__lt=end, history_user__isnull=False
    )
    assignments = dict(
        history.order_by().values("history_user").annotate(n=Count("pk")).values_list("history_user", "n")
    )

    entered = {
        row["entered_by"]: row
        for row in HoursEntry.objects.filter(
            created_at__gte=start, created_at__lt=end, entered_by__isnull=False
        )
        .order_by()
        .values("entered_by")
        .annotate(n=Count("pk"), hours=Coalesce(Sum("hours"), Value(0), output_field=ZERO))
    }

    drafts = {
        row["assignment__lot__market__facilitator"]: row
        for row in HoursEntry.objects.pending()  # drafts and companies' declarations: to validate
        .filter(assignment__lot__market__archived=False)
        .order_by()
        .values("assignment__lot__market__facilitator")
        .annotate(n=Count("pk"), hours=Coalesce(Sum("hours"), Value(0), output_field=ZERO))
    }

    lots = in_execution(Selection.default(today), today)
    oldest = oldest_missing_months(lots, today)
    by_facilitator = defaultdict(list)
    for lot in lots.select_related("market__buyer", "market__facilitator").order_by(
        "market__reference", "number_key"
    ):
        missing = oldest.get(lot.pk)
        months_late = month_index(month) - month_index(missing) if missing else 0
        by_facilitator[lot.market.facilitator_id].append(
            LotCollection(lot, missing, months_late, bool(missing) and missing <= late_before)
        )

    known = set(followed) | set(drafts) | set(by_facilitator)
    users = list(team([pk for pk in known if pk is not None]))
    members = []
    for user in [*users, None]:
        pk = user.pk if user is not None else None
        lot_rows = sorted(
            by_facilitator.get(pk, []),
            key=lambda c: (c.oldest_missing is None, c.oldest_missing or month, c.lot.market.reference),
        )
        member = Member(
            user=user,
            markets=followed.get(pk, {}).get("n", 0),
            markets_in_execution=followed.get(pk, {}).get("in_execution", 0),
            assignments_entered=assignments.get(pk, 0) if pk else 0,
            entries_entered=entered.get(pk, {}).get("n", 0) if pk else 0,
            hours_entered=entered.get(pk, {}).get("hours", 0) if pk else 0,
            drafts=drafts.get(pk, {}).get("n", 0),
            draft_hours=drafts.get(pk, {}).get("hours", 0),
            lots=tuple(lot_rows),
        )
        if user is None and not (member.markets or member.drafts or member.lots):
            continue
        members.append(member)
    return Activity(today, month, late_before, tuple(members))
