import django_tables2 as tables

from clauses_site.exports import Column
from clauses_site.listing import DateColumn, HoursColumn, IntegerColumn, MoneyColumn, PercentColumn
from hours.queries import completion_rate
from markets.models import Buyer, Lot, Market


def _rate(record):
    return completion_rate(record.hours_done, record.hours_required)


class RateColumn(PercentColumn):
    """Hours done ÷ hours owed (hours/queries.completion_rate), computed for the row."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        kwargs.setdefault("accessor", tables.A("pk"))
        super().__init__(*args, **kwargs)

    def render(self, record):
        return super().render(_rate(record)) if record.hours_required else "—"


class ArchivedRowMixin:
    class Meta:
        row_attrs = {"class": lambda record: "text-body-secondary" if record.archived else ""}


class BuyerTable(tables.Table):
    name = tables.Column("Nom", linkify=("markets:buyer_detail", {"pk": tables.A("pk")}), order_by="name_key")
    kind = tables.Column("Type")
    commune = tables.Column("Commune")
    market_count = IntegerColumn("Marchés")
    hours_required = HoursColumn("Heures dues")
    hours_done = HoursColumn("Heures réalisées")
    rate = RateColumn("Réalisation")

    class Meta:
        model = Buyer
        fields = ["name", "kind", "commune", "market_count", "hours_required", "hours_done", "rate"]
        empty_text = "Aucun donneur d'ordre ne correspond à ces filtres."
        row_attrs = ArchivedRowMixin.Meta.row_attrs


class MarketTable(tables.Table):
    reference = tables.Column(
        "Référence",
        linkify=("markets:market_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "text-nowrap"}},
    )
    title = tables.Column("Intitulé")
    buyer = tables.Column(
        "Donneur d'ordre",
        linkify=("markets:buyer_detail", {"pk": tables.A("buyer_id")}),
        order_by="buyer__name_key",
    )
    stage = tables.Column("Étape")
    sector = tables.Column("Secteur", order_by="sector__name")
    facilitator = tables.Column(
        "Facilitatrice", order_by=("facilitator__first_name", "facilitator__last_name")
    )
    execution = tables.Column("Exécution", accessor="starts_on", order_by=("starts_on", "ends_on"))
    hours_required = HoursColumn("Heures dues")
    hours_done = HoursColumn("Heures réalisées")
    rate = RateColumn("Réalisation")

    class Meta:
        model = Market
        fields = [
            "reference",
            "title",
            "buyer",
            "stage",
            "sector",
            "facilitator",
            "execution",
            "hours_required",
            "hours_done",
            "rate",
        ]
        empty_text = "Aucun marché ne correspond à ces filtres."
        row_attrs = ArchivedRowMixin.Meta.row_attrs

    def render_title(self, value):
        return value if len(value) <= 70 else value[:69] + "…"

    def render_facilitator(self, value):
        return value.get_full_name() or value.username

    def render_execution(self, record):
        start = f"{record.starts_on:%m/%Y}" if record.starts_on else "?"
        end = f"{record.ends_on:%m/%Y}" if record.ends_on else "?"
        return f"{start}\xa0→ {end}"


class LotTable(tables.Table):
    market = tables.Column(
        "Marché",
        linkify=("markets:market_detail", {"pk": tables.A("market_id")}),
        accessor="market__reference",
        order_by=("market__reference",),
    )
    lot = tables.Column(
        "Lot",
        linkify=("markets:lot_detail", {"pk": tables.A("pk")}),
        accessor="pk",
        order_by=("market__reference", "number_key"),
    )
    buyer = tables.Column(
        "Donneur d'ordre", accessor="market__buyer__name", order_by="market__buyer__name_key"
    )
    amount = MoneyColumn("Montant HT")
    hours_required = HoursColumn("Heures dues")
    hours_done = HoursColumn("Heures réalisées")
    rate = RateColumn("Réalisation")
    starts_on = DateColumn("Début")
    ends_on = DateColumn("Fin")

    class Meta:
        model = Lot
        fields = [
            "market",
            "lot",
            "buyer",
            "amount",
            "hours_required",
            "hours_done",
            "rate",
            "starts_on",
            "ends_on",
        ]
        empty_text = "Aucun lot ne correspond à ces filtres."

    def render_lot(self, record):
        return str(record)


#: The hours columns of every export: owed, done, and done ÷ owed.
HOURS_EXPORT = [
    Column("Heures dues", lambda r: r.hours_required, kind="hours"),
    Column("Heures réalisées", lambda r: r.hours_done, kind="hours"),
    Column("Réalisation", _rate, kind="rate", width=12),
]
ARCHIVED_EXPORT = Column("Archivé", lambda r: "oui" if r.archived else "", width=10)

BUYER_EXPORT = [
    Column("Nom", lambda b: b.name, width=40),
    Column("Type", lambda b: b.get_kind_display(), width=22),
    Column("Commune", lambda b: b.commune, width=20),
    Column("Téléphone", lambda b: b.phone, width=16),
    Column("Courriel", lambda b: b.email, width=28),
    Column("Marchés", lambda b: b.market_count, kind="int", width=10),
    *HOURS_EXPORT,
    ARCHIVED_EXPORT,
]

MARKET_EXPORT = [
    Column("Référence", lambda m: m.reference, width=18),
    Column("Intitulé", lambda m: m.title, width=50),
    Column("Donneur d'ordre", lambda m: m.buyer.name, width=32),
    Column("Opération", lambda m: m.operation.name if m.operation else "", width=24),
    Column("Étape", lambda m: m.get_stage_display(), width=20),
    Column("Secteur", lambda m: m.sector.name if m.sector else "", width=20),
    Column("Procédure", lambda m: m.get_procedure_display(), width=20),
    Column("Facilitatrice", lambda m: m.facilitator.get_full_name() if m.facilitator else "", width=20),
    Column("Début d'exécution", lambda m: m.starts_on, kind="date", width=12),
    Column("Fin d'exécution", lambda m: m.ends_on, kind="date", width=12),
    *HOURS_EXPORT,
    ARCHIVED_EXPORT,
]

LOT_EXPORT = [
    Column("Réf. marché", lambda lot: lot.market.reference, width=18),
    Column("Intitulé marché", lambda lot: lot.market.title, width=40),
    Column("Donneur d'ordre", lambda lot: lot.market.buyer.name, width=30),
    Column("Lot", lambda lot: lot.number, width=10),
    Column("Intitulé lot", lambda lot: lot.title, width=30),
    Column("Montant HT (€)", lambda lot: lot.amount, kind="money"),
    *HOURS_EXPORT,
    Column("Début", lambda lot: lot.starts_on, kind="date", width=12),
    Column("Fin", lambda lot: lot.ends_on, kind="date", width=12),
]
