"""Generic views for records: role checks, detail, create/update (with inline formsets), delete that is
refused when hours are recorded (archive instead), archive/unarchive.

    class MarketUpdate(RecordUpdateView):
        model = Market
        form_class = MarketForm
        success_message = "Marché « {object} » enregistré."

    class MarketDelete(RecordDeleteView):
        model = Market
        hours_path = "assignment__lot__market"   # HoursEntry lookup to the object: refuse if any
        success_url = reverse_lazy("markets:market_list")

Update views carry the record's version (clauses_site/versioning.py): a save over a record changed
by someone else since the page was rendered is refused (409), nothing written, the user's values shown
again with who changed which field and its value now.

Every view declares `permission`, a predicate of clauses_site/roles.py (a plain function works:
`permission = roles.sees_people`); the user gets 403 when it is false. Editing views default to can_edit.
Objects are fetched through get_queryset() (404 when not there): restrict it for what a user may see.

Success and cancel URLs come from the model's get_absolute_url() by default (Django's own rule for
create/update; here also for cancelling an update or a deletion and after archiving); declare
`success_url`/`cancel_url` only where the page to go to is another one (a list after a deletion).
"""

from collections import Counter

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import CreateView, DeleteView, DetailView, UpdateView, View
from django.views.generic.detail import SingleObjectMixin

from clauses_site import roles, versioning
from clauses_site.autocomplete import any_role


class RoleRequiredMixin:
    """403 unless `permission(user)`; login itself is required by the middleware."""

    permission = staticmethod(any_role)

    def has_permission(self):
        return type(self).permission(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RecordDetailView(RoleRequiredMixin, DetailView):
    pass


class RecordFormMixin(RoleRequiredMixin):
    """Create/update with French success messages and optional inline formsets
    (`formset_classes = {"contacts": ContactFormSet}`), all saved in one transaction or none."""

    permission = staticmethod(roles.can_edit)
    template_name = "includes/form_page.html"
    formset_classes = {}
    success_message = "Enregistré : « {object} »."
    title = None  # page heading; defaults to the model's verbose name
    cancel_url = None

    def get_formsets(self):
        if getattr(self, "_formsets", None) is None:
            bound = self.request.method in ("POST", "PUT")
            instance = self.object if self.object is not None else self.get_formset_instance()
            self._formsets = {
                name: cls(
                    self.request.POST if bound else None,
                    self.request.FILES if bound else None,
                    instance=instance,
                    prefix=name,
                )
                for name, cls in self.formset_classes.items()
            }
        return self._formsets

    def get_formset_instance(self):
        return self.model()

    def get_title(self):
        return self.title or self.model._meta.verbose_name.capitalize()

    def get_cancel_url(self):
        """`cancel_url`, else the local `retour` parameter, else the record's own page (an update)."""
        if self.cancel_url:
            return resolve_url(self.cancel_url)
        if url_is_local(self.request.GET.get("retour")):
            return self.request.GET["retour"]
        return record_url(getattr(self, "object", None))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formsets", self.get_formsets())
        context.setdefault("title", self.get_title())
        context.setdefault("cancel_url", self.get_cancel_url())
        context["formsets_invalid"] = getattr(self, "formsets_invalid", False)
        context["record_version"] = self.get_record_version()
        context["version_refusal"] = getattr(self, "version_refusal", None)
        return context

    def get_record_version(self):
        """The hidden version field's value (update views only)."""
        return None

    def form_valid(self, form):
        formsets = self.get_formsets()
        if not all(fs.is_valid() for fs in formsets.values()):
            self.formsets_invalid = True
            return self.form_invalid(form)
        with transaction.atomic():
            self.object = self.save_object(form)
            for formset in formsets.values():
                formset.instance = self.object
                formset.save()
        messages.success(self.request, self.get_success_message())
        return HttpResponseRedirect(self.get_success_url())

    def save_object(self, form):
        """Save the main object (override to set fields the form does not hold)."""
        return form.save()

    def get_success_message(self):
        return self.success_message.format(object=self.object)


def records_of(model, records_for):
    """A mixin for the create, edit and delete views of `model`: the record is fetched among
    records_for(user), what the user may see (404 otherwise).

        NeedRecord = records_of(RecruitmentNeed, needs_for)
        class NeedDelete(NeedRecord, RecordDeleteView): ...
    """

    def get_queryset(self):
        return records_for(self.request.user)

    return type(f"{model.__name__}Records", (), {"model": model, "get_queryset": get_queryset})


def record_url(obj):
    """The record's own page (its model's get_absolute_url()), or None."""
    return obj.get_absolute_url() if obj is not None and obj.pk and hasattr(obj, "get_absolute_url") else None


def url_is_local(url):
    """A return address that stays on this site: a path, never another host (« //evil », « /\\evil »,
    « https://evil ») — Django's own check, with no host allowed."""
    return bool(url) and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


class RecordCreateView(RecordFormMixin, CreateView):
    pass


class RecordUpdateView(RecordFormMixin, UpdateView):
    """The form carries a signed snapshot of the record and of its inline children as rendered
    (versioning.FIELD). On POST the row (and the children's) is read again under SELECT … FOR UPDATE
    in the request's transaction: if it changed since, the save is refused with status 409 and the
    form shown again with the user's values and what changed; a missing or forged version: 400."""

    record_version = None
    version_refusal = None

    def get_record_version(self):
        if self.record_version is None:
            self.record_version = versioning.take(
                self.object, self.version_children(self.get_formsets())
            ).token()
        return self.record_version

    def version_children(self, formsets=None):
        """{formset name: (foreign key name, rows now stored)} for the snapshot."""
        if formsets is None:
            formsets = {
                name: cls(instance=self.object, prefix=name) for name, cls in self.formset_classes.items()
            }
        return {name: (formset.fk.name, list(formset.get_queryset())) for name, formset in formsets.items()}

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            versioning.lock(
                self.get_object(),
                {name: (cls.model, cls.fk.name) for name, cls in self.formset_classes.items()},
            )
            self.object = self.get_object()  # read again, under the lock: the record as stored now
            children = self.version_children()
            current = versioning.take(self.object, children)
            token = request.POST.get(versioning.FIELD)
            try:
                rendered = versioning.read(token, self.object)
            except versioning.Unverifiable as error:
                return self.refuse(str(error), current, status=400)
            diff = rendered.compare(current)
            if diff:
                return self.refuse(
                    self.conflict_message(diff, rendered.taken_at, children), current, status=409
                )
            self.record_version = token
            form = self.get_form()
            return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def conflict_message(self, diff, since, children):
        kwargs = {k: v for k, v in self.get_form_kwargs().items() if k not in ("data", "files")}
        stored_form = self.get_form_class()(**kwargs)  # unbound: shows the values now stored
        rows = {
            name: (
                getattr(self.formset_classes[name], "legend", None)
                or self.formset_classes[name].model._meta.verbose_name_plural.capitalize(),
                {str(row.pk): row for row in children[name][1]},
            )
            for name in diff.children
        }
        return versioning.conflict_message(
            diff, self.object, since, form=stored_form, children=rows, me=self.request.user
        )

    def refuse(self, message, current, status):
        """The form again with the user's values, the explanation, and the version now stored (saving
        again, once the user has looked, is their choice)."""
        self.version_refusal = message
        self.record_version = current.token()
        context = self.get_context_data(form=self.get_form())
        return self.render_to_response(context, status=status)


class RecordDeleteView(RoleRequiredMixin, DeleteView):
    """Confirmation page, then delete. Refused (status 409, with an explanation) when hours are
    recorded on the object (`hours_path`: lookup from HoursEntry to it) or when other records still
    depend on it (PROTECT); the model's `archived` flag is offered instead when it has one."""

    permission = staticmethod(roles.can_edit)
    template_name = "includes/confirm_delete.html"
    hours_path = None
    success_message = "Supprimé : « {object} »."
    cancel_url = None

    hours_model = "hours.HoursEntry"  # by name, as AUTH_USER_MODEL: the ground floor imports no app

    def hours_recorded(self):
        if not self.hours_path:
            return 0
        entries = apps.get_model(self.hours_model)
        return entries.objects.filter(**{self.hours_path: self.object}).count()

    def refusal(self):
        """Why the object cannot be deleted (a French sentence), or None."""
        count = self.hours_recorded()
        if count:
            entries = (
                "une saisie d'heures est enregistrée"
                if count == 1
                else f"{count} saisies d'heures sont enregistrées"
            )
            return (
                f"Suppression impossible : {entries} sur « {self.object} ». "
                "Les heures sont conservées pour les bilans."
            )
        return None

    def can_archive(self):
        return any(f.name == "archived" for f in self.object._meta.fields)

    def get_archive_url(self):
        return None

    def get_cancel_url(self):
        """`cancel_url`, else the record's own page."""
        if self.cancel_url:
            return resolve_url(self.cancel_url)
        return record_url(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("refusal", self.refusal())
        context["can_archive"] = self.can_archive()
        context["archive_url"] = self.get_archive_url()
        context["cancel_url"] = self.get_cancel_url()
        context["title"] = f"Supprimer « {self.object} »"
        return context

    def form_valid(self, form):
        refusal = self.refusal()
        if refusal is None:
            try:
                with transaction.atomic():
                    self.object.delete()
            except ProtectedError as error:
                refusal = protected_message(self.object, error)
        if refusal is not None:
            context = self.get_context_data(refusal=refusal)
            return self.render_to_response(context, status=409)
        messages.success(self.request, self.success_message.format(object=self.object))
        return HttpResponseRedirect(self.get_success_url())


def protected_message(obj, error):
    counts = Counter(o._meta.verbose_name_plural for o in error.protected_objects)
    what = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
    return f"Suppression impossible : « {obj} » est encore lié à d'autres enregistrements ({what})."


class RecordArchiveView(RoleRequiredMixin, SingleObjectMixin, View):
    """POST: archive (or, with archived=0, bring back) a record that has an `archived` flag."""

    permission = staticmethod(roles.can_edit)
    http_method_names = ["post"]
    success_url = None

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not hasattr(self.object, "archived"):
            raise ImproperlyConfigured(f"{type(self.object).__name__} has no archived flag")
        archived = request.POST.get("archived", "1") != "0"
        self.object.archived = archived
        self.object.save(update_fields=["archived"])
        if archived:
            messages.success(
                request, f"« {self.object} » est archivé : il n'apparaît plus dans les listes par défaut."
            )
        else:
            messages.success(request, f"« {self.object} » n'est plus archivé.")
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        if url_is_local(self.request.POST.get("retour")):
            return self.request.POST["retour"]
        if self.success_url:
            return resolve_url(self.success_url, pk=self.object.pk)
        if record_url(self.object):
            return record_url(self.object)
        raise ImproperlyConfigured("RecordArchiveView needs a success_url or the model's get_absolute_url()")
