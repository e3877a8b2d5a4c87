"""Writing a plan (hours.suivi.planner.Planner) in the caller's transaction, with bulk_create /
bulk_update and the history of the records that keep one."""

from collections import defaultdict

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from clauses_site import formatting
from clauses_site.vocabulary import CRITERIA
from companies.models import Company
from hours.models import Assignment, HoursEntry
from hours.suivi.inserts import Same, insert, insert_columns_with_history, insert_with_history
from markets.models import Award, Buyer, Clause, Lot, Market, Operation
from participants.models import Criterion, Participant

BATCH_SIZE = 2000
IN_CHUNK = 900  # values per `__in` lookup (well under SQLite's and PostgreSQL's limits)


def chunks(items, size=IN_CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Writing:
    """The writing half of Planner (a mixin): check_still_drafts and apply."""

    def check_still_drafts(self, pks):
        """The drafts this import changes, locked; one validated since the plan was made refuses its
        row (and the file: the caller's transaction is rolled back)."""
        since = []
        locked = HoursEntry.objects.select_for_update(of=("self",)).select_related("validated_by")
        for chunk in chunks(pks):
            since.extend(locked.filter(pk__in=chunk, status=HoursEntry.Status.VALIDATED))
        if since:
            for entry in sorted(since, key=lambda e: self.entry_row[e.pk].number):
                self.refuse_validated(self.entry_row[entry.pk], entry)
            raise ValidatedMeanwhile

    def changed_instances(self, known):
        """The HoursEntry instances of the entries the plan changes (matching.KnownEntry), with their new
        hours: every field loaded, so that their history rows are whole."""
        found = {}
        for chunk in chunks([entry.pk for entry in known]):
            found.update((e.pk, e) for e in HoursEntry.objects.filter(pk__in=chunk))
        instances = []
        for entry in known:
            instance = found[entry.pk]
            instance.hours, instance.training_hours = entry.hours, entry.training_hours
            instances.append(instance)
        return instances

    def insert_entries(self, stamp, history):
        """The new entries (assignment, month, hours, training hours) and their history rows, written
        column-wise: 50 000 model instances would cost more than their writing."""
        entries = self.new["entries"]
        if not entries:
            return
        assignments, months, hours, training = zip(*entries, strict=True)
        columns = {
            "assignment_id": [a.pk for a in assignments],
            "month": list(months),
            "hours": list(hours),
            "training_hours": list(training),
        }
        for name, value in stamp.items():
            field = HoursEntry._meta.get_field(name)
            columns[field.attname] = Same(value.pk if field.is_relation and value is not None else value)
        insert_columns_with_history(HoursEntry, columns, len(entries), batch_size=BATCH_SIZE, **history)

    def apply(self, batch=None, progress=None):
        """Write the plan (the caller holds the transaction)."""
        user, now = self.user, timezone.now()
        reason = f"Import du tableau de suivi {self.file_name}"[:100]
        history = {"default_user": user, "default_change_reason": reason, "default_date": now}
        new, changed = self.new, self.changed

        def step(name):
            if progress:
                progress("écriture", name, None)

        step("donneurs d'ordre")
        insert(Buyer, new["buyers"], batch_size=BATCH_SIZE)
        insert(Operation, new["operations"], batch_size=BATCH_SIZE)
        step("marchés")
        today = timezone.localdate()
        for created in (*new["markets"], *new["lots"]):
            first = self.first_month.get(id(created))
            if first is not None:
                created.starts_on = first
                if isinstance(created, Market):  # « En exécution depuis le » its first month
                    created.stage_reached_on = min(first, today)
        insert(Market, new["markets"], batch_size=BATCH_SIZE)
        _update(Market, changed["markets"], now, refresh=("operation",))
        insert(Lot, new["lots"], batch_size=BATCH_SIZE)
        _update(Lot, changed["lots"], now)
        insert_with_history(new["clauses"], Clause, batch_size=BATCH_SIZE, **history)
        step("entreprises")
        insert(Company, new["companies"], batch_size=BATCH_SIZE)
        _update(Company, changed["companies"], now)
        insert_with_history(new["awards"], Award, batch_size=BATCH_SIZE, **history)
        step("participants")
        insert_with_history(new["participants"], Participant, batch_size=BATCH_SIZE, **history)
        _update(Participant, changed["participants"], now, history=history)
        if self.new_criteria:
            codes = {code for _, code in self.new_criteria}
            labels = dict(CRITERIA)
            for code in codes - set(self.criteria):  # a table emptied by a test flush: re-create
                self.criteria[code] = Criterion.objects.get_or_create(
                    code=code, defaults={"label": labels[code]}
                )[0]
            through = Participant.criteria.through
            insert(
                through,
                [
                    through(participant_id=p.pk, criterion_id=self.criteria[code].pk)
                    for p, code in self.new_criteria
                ],
                batch_size=BATCH_SIZE,
            )
        step("mises à l'emploi")
        insert_with_history(new["assignments"], Assignment, batch_size=BATCH_SIZE, **history)
        _update(Assignment, changed["assignments"], now, refresh=("company",), history=history)
        step("heures")
        validated = self.may_validate
        stamp = {
            "status": HoursEntry.Status.VALIDATED if validated else HoursEntry.Status.DRAFT,
            "validated_by": user if validated else None,
            "validated_at": now if validated else None,
            "source": HoursEntry.Source.IMPORT,
            "source_file": self.file_name[:255],
            "entered_by": user,
            "import_batch": batch,
        }
        self.insert_entries(stamp, history)
        known = [entry for entry, _ in changed["entries"].values()]
        if known and not validated:
            self.check_still_drafts([entry.pk for entry in known])
        updated = self.changed_instances(known)
        for entry in updated:
            for name, value in stamp.items():
                setattr(entry, name, value)
            entry.updated_at = now
        if updated:
            fields = ["hours", "training_hours", "updated_at", *stamp]
            bulk_update_with_history(updated, HoursEntry, fields, batch_size=500, **history)


class ValidatedMeanwhile(Exception):
    """An entry the import changes was validated by someone else after the plan (rows reported)."""


def validated_reason(entry):
    """« validée le 12/03/2026 par Nadia Benali : à rouvrir d'abord »."""
    when = f" le {timezone.localtime(entry.validated_at):%d/%m/%Y}" if entry.validated_at else ""
    by = entry.validated_by
    name = f" par {formatting.person_name(by)}" if by is not None else ""
    return f"validée{when}{name} : à rouvrir d'abord"


def _update(model, changed, now, refresh=(), history=None):
    """bulk_update the fields that changed, grouped by set of fields."""
    groups = defaultdict(list)
    for instance, fields in changed.values():
        for name in refresh:
            if name in fields:
                setattr(instance, f"{name}_id", getattr(instance, name).pk)
        fields = set(fields) - {"criteria"}
        if not fields:
            continue
        if any(f.name == "updated_at" for f in model._meta.fields):
            instance.updated_at = now
            fields.add("updated_at")
        groups[tuple(sorted(fields))].append(instance)
    for fields, instances in groups.items():
        if history is not None:
            bulk_update_with_history(instances, model, list(fields), batch_size=500, **history)
        else:
            model.objects.bulk_update(instances, list(fields), batch_size=500)
