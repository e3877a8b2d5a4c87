"""« Mes traitements »: long work (a grouped bilans zip, an import's preview or confirmation, a big xlsx
export) run by the task worker off the request, one Job per piece of work, which the task updates as it
goes and the user's page polls.

A Job is its owner's only: every screen fetches it through Job.objects.visible_to(user) (404 otherwise,
the manager included — a job may hold a file of someone else's import or bilans)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils import timezone


class ResultStorage(FileSystemStorage):
    """Result files (the zip of a grouped sending…) are kept under CLAUSES_JOBS_DIR (var/jobs/), outside
    MEDIA_ROOT: served by the download view to their owner only. The folder is read from the settings at
    each use (tests point it to a temporary folder)."""

    @property
    def base_location(self):
        return str(settings.CLAUSES_JOBS_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


_storage = ResultStorage()


def result_storage():
    return _storage


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unfinished(self):
        return self.filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING))


class Job(models.Model):
    class Kind(models.TextChoices):
        BILANS_ZIP = "bilans_zip", "Bilans groupés (zip)"
        IMPORT_PREVIEW = "import_preview", "Import d'un fichier de suivi : analyse"
        IMPORT_CONFIRM = "import_confirm", "Import d'un fichier de suivi : enregistrement"
        IMPORT_ANNOTATED = "import_annotated", "Import refusé : classeur annoté des erreurs"
        SUIVI_EXPORT = "suivi_export", "Export du tableau de suivi des heures"
        LIST_EXPORT = "list_export", "Export d'une liste (xlsx)"

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échoué"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name="demandé par"
    )
    kind = models.CharField("traitement", max_length=20, choices=Kind)
    title = models.CharField("intitulé", max_length=200)
    params = models.JSONField("paramètres", default=dict, blank=True)
    status = models.CharField("état", max_length=10, choices=Status, default=Status.QUEUED)
    step = models.CharField("étape", max_length=200, blank=True)
    done = models.PositiveIntegerField("fait", default=0)
    total = models.PositiveIntegerField("à faire", default=0)
    result_file = models.FileField("fichier produit", storage=result_storage, upload_to="%Y/%m", blank=True)
    result_name = models.CharField("nom du fichier produit", max_length=200, blank=True)
    result_url = models.CharField("page du résultat", max_length=300, blank=True)
    result_summary = models.CharField("résultat", max_length=300, blank=True)
    error = models.TextField("erreur", blank=True)
    task_id = models.CharField("tâche", max_length=64, blank=True)
    worker = models.CharField(
        "serveur de traitements",
        max_length=120,
        blank=True,
        help_text="Machine et processus qui l'exécutent (« hôte:pid ») : un traitement dont le processus "
        "n'existe plus est marqué interrompu.",
    )
    created_at = models.DateTimeField("demandé le", default=timezone.now)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("fini le", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "traitement"
        verbose_name_plural = "traitements"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="jobs_job_user_created")]

    def __str__(self):
        return f"{self.title} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("jobs:job_detail", kwargs={"pk": self.pk})

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        """0–100 for the progress bar; 100 once done, whatever the counts."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
