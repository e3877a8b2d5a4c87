"""« Envoyer un bilan groupé » as a job: the PDF of every buyer with validated hours in the period, each
archived (reporting.models.Bilan), all in one zip kept under CLAUSES_JOBS_DIR for its owner.

The PDFs are rendered first, outside any transaction (the long part: the page shows « Bilan 3 sur 41 :
<buyer> »), into the job's temporary folder; then one transaction archives them all and writes the zip.
A failure leaves no Bilan row, no archived file and no zip."""

import uuid
import zipfile
from datetime import date

from django.db.models import Exists, OuterRef

from clauses_site import formatting
from hours import queries
from jobs.models import Job
from jobs.progress import JobFailed
from jobs.tasks import Outcome, work_dir
from markets.models import Buyer
from reporting import bilan, indicators
from reporting.models import Bilan


def params(start, end):
    return {"start": start.isoformat(), "end": end.isoformat()}


def title(start, end):
    return f"Bilans groupés des donneurs d'ordre du {start:%d/%m/%Y} au {end:%d/%m/%Y}"


def active_buyers(start, end):
    active = queries.counted_entries(start, end).filter(assignment__lot__market__buyer=OuterRef("pk"))
    return Buyer.objects.filter(Exists(active)).order_by("name_key")


def no_buyer(start, end):
    return f"Aucun donneur d'ordre n'a d'heures validées du {start:%d/%m/%Y} au {end:%d/%m/%Y}."


def zip_name(start, end):
    return f"bilans-donneurs-d-ordre-{start.isoformat()}-{end.isoformat()}.zip"


def build_zip(job: Job, progress):
    start, end = (date.fromisoformat(job.params[k]) for k in ("start", "end"))
    buyers = list(active_buyers(start, end))
    if not buyers:
        raise JobFailed(no_buyer(start, end))
    folder = work_dir(job)
    facilitator = formatting.person_name(job.user)
    rendered = []
    for number, buyer in enumerate(buyers, start=1):
        progress.update(number - 1, len(buyers), f"Bilan {number} sur {len(buyers)} : {buyer.name}")
        figures = indicators.for_buyer(buyer, start, end)
        path = folder / f"{buyer.pk}.pdf"
        path.write_bytes(bilan.render_pdf(figures, facilitator=facilitator))
        rendered.append((buyer, figures, path))
    progress.update(len(buyers), len(buyers), "Archivage des {total} bilans et écriture du zip", force=True)
    batch = uuid.uuid4()
    archive_path = folder / zip_name(start, end)
    written = []
    try:
        with progress.atomic(), zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
            for buyer, figures, path in rendered:
                data = path.read_bytes()
                archived = Bilan.archive(
                    kind=Bilan.Kind.BUYER,
                    obj=buyer,
                    scope_name=figures.scope.name,
                    start=start,
                    end=end,
                    fmt="pdf",
                    data=data,
                    filename=lambda version, figures=figures: bilan.filename(figures, "pdf", version),
                    user=job.user,
                    batch=batch,
                    people=figures.people,
                )
                written.append(archived.file)
                archive.writestr(archived.filename, data)
    except BaseException:
        for stored in written:  # the transaction is rolled back: so are the files it archived
            stored.storage.delete(stored.name)
        raise
    count = len(rendered)
    return Outcome(
        summary=f"{count} bilan{'s' if count > 1 else ''} archivé{'s' if count > 1 else ''}",
        path=archive_path,
        name=archive_path.name,
    )
