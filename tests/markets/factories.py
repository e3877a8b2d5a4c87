import datetime
from decimal import Decimal

import factory

from markets.models import Award, Buyer, Clause, Lot, Market, Operation, Stage
from tests.companies.factories import CompanyFactory


class BuyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Buyer
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Acheteur {n}")
    kind = Buyer.Kind.COMMUNE


class OperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operation

    buyer = factory.SubFactory(BuyerFactory)
    name = factory.Sequence(lambda n: f"NPNRU quartier {n}")


class MarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Market

    buyer = factory.SubFactory(BuyerFactory)
    reference = factory.Sequence(lambda n: f"M-2025-{n:03d}")
    title = factory.Sequence(lambda n: f"Marché de travaux {n}")
    stage = Stage.EXECUTION
    starts_on = datetime.date(2025, 1, 1)
    ends_on = datetime.date(2025, 12, 31)


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    market = factory.SubFactory(MarketFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = "Gros œuvre"
    amount = Decimal("1000000.00")
    starts_on = factory.SelfAttribute("market.starts_on")
    ends_on = factory.SelfAttribute("market.ends_on")


class ClauseFactory(factory.django.DjangoModelFactory):
    """Default: 1 000 000 € × 50 % × 5 % ÷ 30 €/h = 833,33 h by the formula."""

    class Meta:
        model = Clause

    lot = factory.SubFactory(LotFactory)
    labour_share = Decimal("0.5")
    insertion_rate = Decimal("0.05")
    hourly_cost = Decimal("30")

    class Params:
        stated = factory.Trait(stated_hours=Decimal("1000"))


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    lot = factory.SubFactory(LotFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Award.Role.HOLDER
