"""No lost update in edit forms, without a version column: the form carries a signed snapshot of the
record as it was rendered, and a save is refused when the stored record no longer matches it.

    snapshot = versioning.take(record, children={"contacts": record.contacts.all()})
    token = snapshot.token()                       # the hidden field FIELD of the form
    ...
    current = versioning.take(locked_record, children=...)   # on POST, read under select_for_update()
    diff = versioning.read(token, locked_record).compare(current)   # Unverifiable when missing/forged
    if diff: versioning.conflict_message(diff, locked_record, ...)   # who, when, which fields, new values

The snapshot holds, for every editable field (and many-to-many field) of the record and of its inline
children, a keyed digest of the stored value (salted_hmac: the page does not carry values the form does
not show), the record's identity and the time it was taken; it is signed (django.core.signing), so a
forged or borrowed snapshot is refused. Who changed the record and when come from django-simple-history
when the model has it, else from its `auto_now` timestamp. Ground floor: imports no app.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import Truncator

from clauses_site import formatting

FIELD = "record_version"
SALT = "clauses_site.versioning"
EMPTY = "vide"

TAMPERED = (
    "La version de la fiche envoyée avec le formulaire est absente ou altérée : impossible de vérifier "
    "que personne ne l'a modifiée pendant que vous la modifiiez. Rien n'a été enregistré ; vos saisies "
    "sont ré-affichées ci-dessous : vérifiez la fiche, puis enregistrez de nouveau."
)
NOTHING_SAVED = (
    "Rien n'a été enregistré : vos saisies sont ré-affichées ci-dessous ; reprenez-les au besoin, "
    "puis enregistrez de nouveau."
)


class Unverifiable(Exception):
    """The form's version is missing, forged, or belongs to another record."""


def tracked_fields(model, exclude=()):
    """What a save could overwrite: the editable concrete fields and many-to-many fields, without the
    primary key, automatic timestamps and derived keys (not editable)."""
    fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
    return [f for f in fields if f.editable and not f.primary_key and f.name not in exclude]


def _stored(obj, model_field):
    if model_field.many_to_many:
        value = sorted(getattr(obj, model_field.name).values_list("pk", flat=True))
    else:
        value = model_field.value_from_object(obj)
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True)


def fingerprint(obj, exclude=()):
    """{field name: keyed digest of its stored value}."""
    return {
        f.name: salted_hmac(SALT, f"{f.name}\x00{_stored(obj, f)}", algorithm="sha256").hexdigest()[:16]
        for f in tracked_fields(type(obj), exclude)
    }


def _label(obj):
    return f"{obj._meta.label_lower}:{obj.pk}"


@dataclass
class Snapshot:
    record: str
    taken_at: datetime.datetime
    fields: dict
    children: dict = field(default_factory=dict)  # {name: {child pk (str): fingerprint}}

    def token(self):
        payload = {"r": self.record, "t": self.taken_at.isoformat(), "f": self.fields, "c": self.children}
        return signing.dumps(payload, salt=SALT, compress=True)

    def compare(self, current):
        """What changed from this snapshot to `current` (another Snapshot of the same record)."""
        diff = Difference(fields=[n for n, d in current.fields.items() if self.fields.get(n, d) != d])
        for name, now in current.children.items():
            before = self.children.get(name, {})
            changes = ChildChanges(
                added=[pk for pk in now if pk not in before],
                removed=[pk for pk in before if pk not in now],
                changed={
                    pk: [n for n, d in prints.items() if before[pk].get(n, d) != d]
                    for pk, prints in now.items()
                    if pk in before and prints != before[pk]
                },
            )
            changes.changed = {pk: names for pk, names in changes.changed.items() if names}
            if changes:
                diff.children[name] = changes
        return diff


@dataclass
class ChildChanges:
    added: list
    removed: list
    changed: dict  # {child pk (str): [field names]}

    def __bool__(self):
        return bool(self.added or self.removed or self.changed)


@dataclass
class Difference:
    fields: list
    children: dict = field(default_factory=dict)  # {name: ChildChanges}

    def __bool__(self):
        return bool(self.fields or self.children)


def take(obj, children=None):
    """The snapshot of `obj` now; `children`: {name: (inline foreign key name, rows)}."""
    prints = {
        name: {str(child.pk): fingerprint(child, exclude=(fk,)) for child in rows}
        for name, (fk, rows) in (children or {}).items()
    }
    return Snapshot(_label(obj), timezone.now(), fingerprint(obj), prints)


def read(token, obj):
    """The snapshot a form was rendered with; Unverifiable when missing, forged or another record's."""
    if not token:
        raise Unverifiable(TAMPERED)
    try:
        payload = signing.loads(token, salt=SALT)
        snapshot = Snapshot(
            payload["r"], datetime.datetime.fromisoformat(payload["t"]), payload["f"], payload["c"]
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise Unverifiable(TAMPERED) from error
    if snapshot.record != _label(obj) or not isinstance(snapshot.fields, dict):
        raise Unverifiable(TAMPERED)
    return snapshot


def lock(obj, children=None):
    """SELECT … FOR (NO KEY) UPDATE the record's row and its inline children's (`children`: {name:
    (model, fk name)}) until the end of the request's transaction: concurrent saves queue up."""
    no_key = connections[router.db_for_write(type(obj))].features.has_select_for_no_key_update
    # FOR NO KEY UPDATE (PostgreSQL): saves of the record wait, rows pointing to it can still be added.
    rows = [(type(obj), {"pk": obj.pk}), *((model, {fk: obj.pk}) for model, fk in (children or {}).values())]
    for model, where in rows:
        list(model._base_manager.select_for_update(no_key=no_key).filter(**where).values_list("pk"))


# --- what the user is told ---------------------------------------------------------------------------


def _person(user, me):
    if user is None:
        return None
    if me is not None and user.pk == me.pk:
        return "vous-même (dans une autre fenêtre)"
    return formatting.person_name(user)


def _history_after(model, pk, since):
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    if manager is None:
        return None
    history = getattr(model, manager)
    return list(
        history.filter(**{model._meta.pk.attname: pk}, history_date__gt=since).select_related("history_user")
    )


def editors(obj, since, children=(), me=None):
    """(names of who changed the record since `since`, when it last changed), from the history of the
    record and of its children ((model, pk) pairs); without history, the record's auto_now timestamp."""
    records, known = [], False
    for model, pk in [(type(obj), obj.pk), *children]:
        found = _history_after(model, pk, since)
        if found is not None:
            known = True
            records += found
    if known and records:
        records.sort(key=lambda r: r.history_date)
        names = []
        for record in records:
            name = _person(record.history_user, me)
            if name and name not in names:
                names.append(name)
        return names, records[-1].history_date
    stamps = [
        getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if getattr(f, "auto_now", False) and getattr(obj, f.attname)
    ]
    stamps = [s for s in stamps if isinstance(s, datetime.datetime) and s > since]
    return [], max(stamps) if stamps else None


def _date(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value:%d/%m/%Y} à {value:%H} h {value:%M}"
    return f"{value:%d/%m/%Y}"


def _text(value):
    text = Truncator(" ".join(str(value).split())).chars(80)
    return f"« {text} »"


def _name(obj):
    full = getattr(obj, "get_full_name", None)
    return (full() if full else "") or str(obj)


def shown_by_form(bound_field):
    """The value an unbound form field shows, as a French phrase (« 44,00 », « Dunkerque », vide)."""
    form_field, value = bound_field.field, bound_field.value()
    values = value if isinstance(value, (list, tuple)) else [value]
    values = [v for v in values if v not in (None, "")]
    if isinstance(form_field, forms.ModelChoiceField):
        rows = form_field.queryset.model._base_manager.filter(pk__in=values)
        labels = [form_field.label_from_instance(row) for row in rows]
    elif isinstance(form_field, forms.NullBooleanField):
        return {True: "oui", False: "non"}.get(value, "inconnu")
    elif isinstance(form_field, forms.BooleanField):
        return "oui" if value else "non"
    elif isinstance(form_field, forms.ChoiceField):
        choices = {}
        for key, label in form_field.choices:
            if isinstance(label, (list, tuple)):
                choices.update((str(k), v) for k, v in label)
            else:
                choices[str(key)] = label
        labels = [str(choices.get(str(v), v)) for v in values]
    elif isinstance(value, datetime.date):
        return _text(_date(value))
    elif isinstance(value, Decimal):
        places = getattr(form_field, "decimal_places", None)
        return _text(formatting.hours(value, 2 if places is None else places))
    else:
        labels = [str(v) for v in values]
    return ", ".join(_text(label) for label in labels) if labels else EMPTY


def shown_by_model(obj, model_field):
    """The stored value of a model field as a French phrase."""
    if model_field.many_to_many:
        rows = list(getattr(obj, model_field.name).all())
        return ", ".join(_text(_name(row)) for row in rows) if rows else EMPTY
    value = getattr(obj, model_field.attname)
    if value is None or value == "":
        return EMPTY
    if model_field.choices:
        return _text(getattr(obj, f"get_{model_field.name}_display")())
    if isinstance(model_field, models.ForeignKey):
        return _text(_name(getattr(obj, model_field.name)))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return _text(formatting.hours(value, model_field.decimal_places or 2))
    if isinstance(value, datetime.date):
        return _text(_date(value))
    return _text(value)


def _label_of(model, name, form=None):
    if form is not None and name in form.fields and form.fields[name].label:
        return str(form.fields[name].label)
    return str(model._meta.get_field(name).verbose_name).capitalize()


def field_changes(obj, names, form=None):
    """« Nom : « MARTIN » ; Commune : vide »: each changed field and the value now stored (as the form
    would show it when `form`, an unbound form on `obj`, holds the field)."""
    parts = []
    for name in names:
        if form is not None and name in form.fields:
            value = shown_by_form(form[name])
        else:
            value = shown_by_model(obj, type(obj)._meta.get_field(name))
        parts.append(f"{_label_of(type(obj), name, form)} : {value}")
    return " ; ".join(parts)


def _lines(count, word):
    return f"{count} ligne {word}" if count == 1 else f"{count} lignes {word}s"


def children_changes(legend, changes, rows):
    """« Contacts : 1 ligne ajoutée (« Lucie VANHOVE ») ; « Jean Dupont » modifiée (Téléphone : « 06 ») »."""
    parts = []
    if changes.added:
        names = ", ".join(_text(rows[pk]) for pk in changes.added)
        parts.append(f"{_lines(len(changes.added), 'ajoutée')} ({names})")
    for pk, names in changes.changed.items():
        parts.append(f"{_text(rows[pk])} modifiée ({field_changes(rows[pk], names)})")
    if changes.removed:
        parts.append(_lines(len(changes.removed), "supprimée"))
    return f"{legend} : " + " ; ".join(parts)


def conflict_message(diff, obj, since, form=None, children=None, me=None):
    """The French alert of a refused save. `children`: {name: (legend, {pk (str): row})} of the rows
    now stored; `me`: the user saving (named « vous-même » if the change was theirs, in another tab)."""
    children = children or {}
    child_keys = []
    for name, changes in diff.children.items():
        rows = children[name][1]
        child_keys += [(type(rows[pk]), rows[pk].pk) for pk in [*changes.added, *changes.changed]]
    names, when = editors(obj, since, child_keys, me)
    head = "Cette fiche a été modifiée"
    if names:
        head += " par " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1])
    if when is not None:
        head += f" le {_date(when)}"
    parts = [field_changes(obj, diff.fields, form)] if diff.fields else []
    for name, changes in diff.children.items():
        legend, rows = children[name]
        parts.append(children_changes(legend, changes, rows))
    return f"{head} pendant que vous la modifiiez : {' ; '.join(parts)}. {NOTHING_SAVED}"
