"""The upload form of the tracking-sheet import: size, extension and content checked."""

from django import forms

from clauses_site.upload_limits import max_upload_bytes
from hours.suivi.archive import UnreadableFile, sniff

__all__ = ["ImportUploadForm", "max_upload_bytes"]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Tableau de suivi (.xlsx)",
        help_text="Un classeur Excel au format du tableau de suivi : une ligne par personne, mois, lot, "
        "employeur et contrat. Rien n'est enregistré avant votre confirmation.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control",
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                f"Le fichier est trop gros ({upload.size / 1024 / 1024:.1f} Mo) : "
                f"{limit // 1024 // 1024} Mo au plus.".replace(".", ",", 1)
            )
        name = upload.name or ""
        if not name.lower().endswith(".xlsx"):
            if name.lower().endswith((".xls", ".csv", ".ods")):
                raise forms.ValidationError(
                    "Seuls les classeurs .xlsx sont acceptés : ouvrez le fichier dans votre tableur et "
                    "enregistrez-le au format « Classeur Excel (.xlsx) »."
                )
            raise forms.ValidationError("Seuls les classeurs Excel .xlsx sont acceptés.")
        upload.seek(0)
        head = upload.read(65536)
        upload.seek(0)
        try:
            sniff(head, upload.size)
        except UnreadableFile as exc:
            raise forms.ValidationError(f"Fichier illisible : {exc}") from exc
        return upload
