import factory

from clauses_site.text import with_luhn_digit
from companies.models import Company, Contact, Sector


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("name",)

    name = factory.Iterator(["Bâtiment gros œuvre", "Second œuvre", "Nettoyage", "Espaces verts", "Voirie"])


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Entreprise {n} SAS")
    siret = factory.Sequence(lambda n: with_luhn_digit(f"{732829320 + n:09d}0007"))
    kind = Company.Kind.ORDINARY
    commune = "Dunkerque"

    class Params:
        etti = factory.Trait(kind=Company.Kind.ETTI, name=factory.Sequence(lambda n: f"ETTI Intérim {n}"))
        geiq = factory.Trait(kind=Company.Kind.GEIQ, name=factory.Sequence(lambda n: f"GEIQ BTP {n}"))
        ei = factory.Trait(kind=Company.Kind.EI, name=factory.Sequence(lambda n: f"EI Insertion {n}"))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    company = factory.SubFactory(CompanyFactory)
    name = "Jean Dupont"
    role = "Conducteur de travaux"
    phone = "03 28 00 00 00"
