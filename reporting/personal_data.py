"""Personal-data rights across the apps: everything held about a person (right of access, PDF or xlsx),
their anonymisation (right to erasure where the obligation to keep figures allows it) and the daily
retention rule.

    personal_data.sections(person)            # what is held, as tables (record, criteria, assignments…)
    personal_data.render_pdf(person) / render_xlsx(person)
    personal_data.anonymise(person, user)     # participants.privacy + what the other apps hold
    personal_data.due_for_retention(on)       # people whose retention ends on or before `on`
    personal_data.apply_retention(today, dry_run=False)

Anonymisation keeps every figure of every bilan (see participants/privacy.py for the identity, and
tests/reporting/test_anonymisation_keeps_bilans.py); here, the free text the team wrote about the person
goes: notes of their assignments (and of their history rows), trainings and proposals; their name is
replaced by the stand-in in the journal entries and the import reports that mention it.

Retention (settings.CLAUSES_RETENTION_YEARS, 5 by default): a person is anonymised once their last
assignment ended more than that many years ago (none still running); a person who never had an
assignment, once their record has not changed for that long. Import workbooks are deleted 90 days after
their upload (the batch and its report stay); access-log rows are deleted after a year, and the history
rows of deleted participants (which still hold their identity) at the next run.
"""

import datetime
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from clauses_site import formatting, history
from clauses_site.exports import Column, write_xlsx
from clauses_site.months import add_months
from clauses_site.pdf import write_pdf
from hours.models import Assignment, HoursEntry, ImportBatch
from participants import privacy
from participants.models import AccessLog, Participant
from partnerships.models import JournalEntry, Proposal, Trainee

IMPORT_FILE_DAYS = 90
ACCESS_LOG_DAYS = 365
NOTICE_MONTHS = 3
HISTORY_FIELDS = [
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "commune",
    "qpv",
    "level",
    "prescriber",
    "referent",
    "entered_on",
    "notes",
    "anonymised_at",
]


# --- what is held ------------------------------------------------------------------------------------


@dataclass
class Section:
    title: str
    columns: list
    rows: list
    empty: str = "Aucune donnée."


def _local(moment):
    """An aware datetime as naive local time (openpyxl refuses aware datetimes), or None."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _when(moment):
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}" if moment else ""


def _user(user):
    return formatting.person_name(user)


def _yes_no(value):
    return {True: "oui", False: "non"}.get(value, "inconnu")


def _label(choices_value, choices):
    return dict(choices).get(choices_value, choices_value)


def mentions(last_name, first_name):
    """Journal entries naming the person (subject, people met or report), newest first."""
    pattern = privacy.name_pattern(last_name, first_name)
    words = Q(subject__icontains=last_name) | Q(people_met__icontains=last_name)
    words |= Q(notes__icontains=last_name)
    return [
        entry
        for entry in JournalEntry.objects.filter(words).order_by("-date", "-pk")
        if any(pattern.search(text or "") for text in (entry.subject, entry.people_met, entry.notes))
    ]


def _record_rows(person):
    rows = [
        ("Nom", person.last_name),
        ("Prénom", person.first_name),
        ("Date de naissance", f"{person.birth_date:%d/%m/%Y}"),
        ("Sexe", person.get_sex_display()),
        ("Commune de résidence", person.commune),
        ("Habitant d'un QPV", _yes_no(person.qpv)),
        ("Niveau de qualification", person.get_level_display()),
        ("Prescripteur", person.prescriber),
        ("Référent de parcours", person.referent),
        ("Entrée dans le parcours", f"{person.entered_on:%d/%m/%Y}" if person.entered_on else ""),
        ("Notes", person.notes),
        ("Fiche créée le", _when(person.created_at)),
        ("Fiche modifiée le", _when(person.updated_at)),
    ]
    if person.anonymised_at:
        rows.append(("Anonymisée le", _when(person.anonymised_at)))
        rows.append(("Motif", person.get_anonymised_reason_display()))
    return rows


def sections(person):
    """Everything the application holds about `person`, as tables: their record, criteria,
    assignments, hours, outcomes, trainings, proposals, the journal entries naming them, the history of
    their record and the access log. A constant number of queries."""
    assignments = list(
        Assignment.objects.filter(participant=person)
        .select_related("lot__market__buyer", "company", "employer")
        .order_by("starts_on", "pk")
    )
    entries = list(
        HoursEntry.objects.filter(assignment__participant=person)
        .select_related("assignment__lot__market", "assignment__company", "validated_by")
        .order_by("month", "assignment__starts_on", "pk")
    )
    trainees = list(Trainee.objects.filter(participant=person).select_related("training").order_by("pk"))
    proposals = list(
        Proposal.objects.filter(participant=person)
        .select_related("need__company", "proposed_by")
        .order_by("proposed_at", "pk")
    )
    versions = history.versions(person, HISTORY_FIELDS, limit=1000)
    log = list(AccessLog.objects.filter(participant=person).order_by("-at", "-pk")[:5000])
    lot = lambda a: f"{a.lot.market.reference} — {a.lot}"  # noqa: E731

    return [
        Section(
            "Fiche",
            [Column("Donnée", lambda r: r[0], width=28), Column("Valeur", lambda r: r[1], width=60)],
            _record_rows(person),
        ),
        Section(
            "Critères",
            [Column("Code", lambda c: c.code, width=12), Column("Critère", lambda c: c.label, width=70)],
            list(person.criteria.all()),
            "Aucun critère d'éligibilité.",
        ),
        Section(
            "Mises à l'emploi",
            [
                Column("Donneur d'ordre", lambda a: a.lot.market.buyer.name, width=28),
                Column("Marché et lot", lot, width=30),
                Column("Entreprise", lambda a: a.company.name, width=26),
                Column("Employeur", lambda a: a.employer.name if a.employer_id else "", width=26),
                Column("Modalité", lambda a: a.get_modality_display(), width=20),
                Column("Contrat", lambda a: a.get_contract_type_display(), width=18),
                Column("Poste", lambda a: a.job, width=20),
                Column("Début", lambda a: a.starts_on, "date", 12),
                Column("Fin", lambda a: a.ends_on, "date", 12),
                Column("Notes", lambda a: a.notes, width=40),
            ],
            assignments,
            "Aucune mise à l'emploi.",
        ),
        Section(
            "Heures",
            [
                Column("Mois", lambda e: e.month, "month", 10),
                Column("Marché et lot", lambda e: lot(e.assignment), width=30),
                Column("Entreprise", lambda e: e.assignment.company.name, width=26),
                Column("Heures travaillées", lambda e: e.hours, "hours", 12),
                Column("Heures de formation", lambda e: e.training_hours, "hours", 12),
                Column("Statut", lambda e: e.get_status_display(), width=12),
                Column("Validée le", lambda e: _when(e.validated_at), width=17),
                Column("Validée par", lambda e: _user(e.validated_by), width=20),
                Column("Origine", lambda e: e.get_source_display(), width=14),
            ],
            entries,
            "Aucune heure saisie.",
        ),
        Section(
            "Sorties",
            [
                Column("Date", lambda o: o.date, "date", 12),
                Column("Moment", lambda o: o.get_timing_display(), width=18),
                Column("Sortie", lambda o: o.get_kind_display(), width=28),
                Column("Positive", lambda o: _yes_no(o.is_positive), width=9),
                Column("Notes", lambda o: o.notes, width=40),
            ],
            list(person.outcomes.order_by("date", "pk")),
            "Aucune sortie enregistrée.",
        ),
        Section(
            "Formations",
            [
                Column("Formation", lambda t: t.training.title, width=34),
                Column("Début", lambda t: t.training.starts_on, "date", 12),
                Column("Fin", lambda t: t.training.ends_on, "date", 12),
                Column("Heures suivies", lambda t: t.hours_attended, "hours", 12),
                Column("Suite donnée", lambda t: t.get_outcome_display(), width=26),
                Column("Notes", lambda t: t.notes, width=40),
            ],
            trainees,
            "Aucune formation.",
        ),
        Section(
            "Propositions",
            [
                Column("Poste", lambda p: p.need.job, width=26),
                Column("Entreprise", lambda p: p.need.company.name if p.need.company_id else "", width=26),
                Column("État", lambda p: p.get_state_display(), width=10),
                Column("Proposé le", lambda p: _when(p.proposed_at), width=17),
                Column("Proposé par", lambda p: _user(p.proposed_by), width=20),
                Column("Commentaire", lambda p: p.comment, width=40),
            ],
            proposals,
            "Aucune proposition à un besoin de recrutement.",
        ),
        Section(
            "Journal",
            [
                Column("Date", lambda j: j.date, "date", 12),
                Column("Type", lambda j: j.get_kind_display(), width=22),
                Column("Objet", lambda j: j.subject, width=34),
                Column("Personnes rencontrées", lambda j: j.people_met, width=30),
                Column("Compte rendu", lambda j: j.notes, width=50),
            ],
            [] if person.anonymised_at else mentions(person.last_name, person.first_name),
            "Aucune entrée du journal ne nomme la personne.",
        ),
        Section(
            "Historique",
            [
                Column("Date", lambda v: _when(v.date), width=17),
                Column("Utilisateur", lambda v: v.user_name, width=20),
                Column("Action", lambda v: v.action, width=14),
                Column("Motif", lambda v: v.reason, width=20),
                Column(
                    "Changements",
                    lambda v: " ; ".join(_change(c) for c in v.changes),
                    width=80,
                ),
            ],
            versions,
            "Aucune version enregistrée.",
        ),
        Section(
            "Accès",
            [
                Column("Date", lambda a: _when(a.at), width=17),
                Column("Utilisateur", lambda a: a.user_label, width=24),
                Column("Accès", lambda a: a.get_action_display(), width=28),
            ],
            log,
            "Aucun accès enregistré.",
        ),
    ]


def _change(change):
    if change.old:
        return f"{change.label} : {change.old} → {change.new}"
    return f"{change.label} : {change.new}"


def _text(column, row):
    """A cell as printed in the PDF."""
    value = column.value(row)
    if value is None or value == "":
        return "—"
    if column.kind == "month":
        return f"{value:%m/%Y}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return formatting.hours(value)
    return str(value)


def filename(person, fmt):
    """donnees-personnelles-<pk>-<date>.pdf: the name of the file never carries the person's name."""
    return f"donnees-personnelles-{person.pk}-{timezone.localdate().isoformat()}.{fmt}"


def render_html(person):
    tables = [
        {
            "title": s.title,
            "headers": [c.title for c in s.columns],
            "rows": [[_text(c, row) for c in s.columns] for row in s.rows],
            "empty": s.empty,
        }
        for s in sections(person)
    ]
    return render_to_string(
        "reporting/personal_data_pdf.html",
        {
            "person": person,
            "tables": tables,
            "generated_at": timezone.localtime(),
            "team_name": settings.CLAUSES_TEAM_NAME,
        },
    )


def render_pdf(person):
    return write_pdf(render_html(person), base_url=str(settings.BASE_DIR))


def render_xlsx(person):
    """One sheet per table; text cells starting with = + - @ are neutralised (clauses_site.exports)."""
    parts = sections(person)
    buffer = io.BytesIO()
    first, rest = parts[0], parts[1:]
    write_xlsx(
        buffer,
        first.columns,
        first.rows,
        sheet_title=first.title,
        autofilter=False,
        extra_sheets=[(s.title, s.columns, s.rows) for s in rest],
    )
    return buffer.getvalue()


# --- anonymisation -----------------------------------------------------------------------------------


def _import_label(person):
    """How the import reports name a person (hours/suivi/report.py)."""
    return f"{person.last_name.upper()} {person.first_name} ({person.birth_date:%d/%m/%Y})"


def _redact_reports(person, pattern, stand_in):
    label = re.compile(re.escape(_import_label(person)), re.IGNORECASE)
    # Stored JSON may escape accents (SQLite: « \u00c9 »): look for every form of the surname.
    forms = {
        form
        for name in (person.last_name, person.last_name.upper())
        for form in (name, json.dumps(name)[1:-1])
    }
    candidates = Q()
    for form in forms:
        candidates |= Q(report__icontains=form)
    for batch in ImportBatch.objects.filter(candidates).only("pk", "report"):
        text = json.dumps(batch.report, ensure_ascii=False)
        redacted = privacy.redact(privacy.redact(text, label, stand_in), pattern, stand_in)
        if redacted != text:
            ImportBatch.objects.filter(pk=batch.pk).update(report=json.loads(redacted))


@transaction.atomic
def anonymise(person, user=None, reason=privacy.REQUEST, now=None):
    """Anonymise `person` everywhere: their identity (participants.privacy: figures kept, record
    frozen, history rows purged, written to the access log), the notes the team wrote on their
    assignments, trainings and proposals, and their name in the journal and the import reports."""
    pattern = privacy.name_pattern(person.last_name, person.first_name)
    found_in_journal = mentions(person.last_name, person.first_name)
    old = Participant(last_name=person.last_name, first_name=person.first_name, birth_date=person.birth_date)
    assignments = Assignment.objects.filter(participant=person)
    starts = list(assignments.values_list("starts_on", flat=True))
    person = privacy.anonymise_identity(person, starts, user=user, reason=reason, now=now)
    stand_in = str(person)
    assignments.update(notes="")
    Assignment.history.filter(participant_id=person.pk).update(notes="")
    Trainee.objects.filter(participant=person).update(notes="")
    Proposal.objects.filter(participant=person).update(comment="")
    for entry in found_in_journal:
        for name in ("subject", "people_met", "notes"):
            setattr(entry, name, privacy.redact(getattr(entry, name), pattern, stand_in))
        entry.save(update_fields=["subject", "people_met", "notes", "search_text", "updated_at"])
    _redact_reports(old, pattern, stand_in)
    return person


# --- retention ---------------------------------------------------------------------------------------


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_years():
    return settings.CLAUSES_RETENTION_YEARS


@dataclass(frozen=True)
class Due:
    person: Participant
    due_on: datetime.date  # the day the retention run anonymises the person
    basis: str  # what the date counts from, in French
    last_end: datetime.date | None


def _latest(queryset, expression):
    """The latest `expression` of the person's rows in `queryset` (a correlated subquery)."""
    rows = queryset.filter(participant=OuterRef("pk")).order_by().values("participant")
    return Subquery(rows.annotate(latest=Max(expression)).values("latest")[:1])


def due_for_retention(on, years=None):
    """The people (not yet anonymised) whose retention ends on or before `on`, soonest first: no
    assignment running and the last one ended more than `years` years before `on`; with no assignment,
    a record unchanged for that long. A proposal to a recruitment need or a training since then puts it
    off (the person is followed again). One query."""
    years = retention_years() if years is None else years
    cutoff = add_years(on, -years)
    cutoff_moment = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    assignments = Assignment.objects.filter(participant=OuterRef("pk"))
    people = (
        Participant.objects.filter(anonymised_at__isnull=True)
        .annotate(
            has_work=Exists(assignments),
            running=Exists(assignments.filter(ends_on__isnull=True)),
            last_end=_latest(Assignment.objects, "ends_on"),
            last_proposal=_latest(Proposal.objects, "proposed_at"),
            last_training=_latest(Trainee.objects, Coalesce("training__ends_on", "training__starts_on")),
        )
        .filter(
            Q(has_work=True, running=False, last_end__lt=cutoff)
            | Q(has_work=False, updated_at__lt=cutoff_moment),
            Q(last_proposal__isnull=True) | Q(last_proposal__lt=cutoff_moment),
            Q(last_training__isnull=True) | Q(last_training__lt=cutoff),
        )
    )
    found = []
    for person in people:
        if person.has_work:
            since = person.last_end
            basis = f"dernier contrat terminé le {since:%d/%m/%Y}"
        else:
            since = timezone.localdate(person.updated_at)
            basis = f"aucun contrat ; fiche inchangée depuis le {since:%d/%m/%Y}"
        later = [
            (timezone.localdate(person.last_proposal), "dernière proposition à un besoin")
            if person.last_proposal
            else None,
            (person.last_training, "dernière formation") if person.last_training else None,
        ]
        for day, what in filter(None, later):
            if day > since:
                since, basis = day, f"{what} le {day:%d/%m/%Y}"
        due_on = add_years(since, years) + datetime.timedelta(days=1)
        found.append(Due(person, due_on, basis, person.last_end))
    found.sort(key=lambda d: (d.due_on, d.person.pk))
    return found


def deleted_people_history():
    """History rows of deleted participants (simple-history keeps their identity after the deletion:
    the retention run erases them)."""
    return Participant.history.exclude(id__in=Participant.objects.values("pk"))


def due_soon(today=None):
    """What the retention run will do within NOTICE_MONTHS (the « Données personnelles » page)."""
    today = today or timezone.localdate()
    return due_for_retention(add_months(today, NOTICE_MONTHS))


def old_import_files(now=None):
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=IMPORT_FILE_DAYS)
    return ImportBatch.objects.exclude(file="").filter(created_at__lt=limit)


def old_access_log(now=None):
    now = now or timezone.now()
    return AccessLog.objects.filter(at__lt=now - datetime.timedelta(days=ACCESS_LOG_DAYS))


@dataclass
class RetentionRun:
    people: list = field(default_factory=list)  # Due
    import_files: list = field(default_factory=list)  # (batch pk, file name, uploaded on)
    log_rows: int = 0
    deleted_people: int = 0  # deleted participants whose history rows are erased
    dry_run: bool = False


def apply_retention(today=None, dry_run=False):
    """Anonymise the people due, delete the import workbooks older than 90 days and the access-log
    rows older than a year. With dry_run, only list them."""
    if today is None:
        now = timezone.now()
    else:
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    today = timezone.localdate(now)
    run = RetentionRun(dry_run=dry_run)
    run.people = due_for_retention(today)
    batches = list(old_import_files(now))
    run.import_files = [(b.pk, b.file_name, timezone.localdate(b.created_at)) for b in batches]
    log = old_access_log(now)
    run.log_rows = log.count()
    deleted = deleted_people_history()
    run.deleted_people = deleted.values("id").distinct().count()
    if dry_run:
        return run
    with transaction.atomic():
        for due in run.people:
            anonymise(due.person, user=None, reason=privacy.RETENTION, now=now)
        for batch in batches:
            name = batch.file.name
            storage = batch.file.storage
            ImportBatch.objects.filter(pk=batch.pk).update(file="")
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        log.delete()
        deleted.delete()
    return run
