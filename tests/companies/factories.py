import factory

from companies.models import Company, Contact, Sector


def siret_with_luhn(base13):
    """A valid SIRET from 13 digits: appends the Luhn check digit."""
    for last in range(10):
        candidate = f"{base13}{last}"
        total = 0
        for i, char in enumerate(reversed(candidate)):
            d = int(char) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("name",)

    name = factory.Iterator(["Bâtiment gros œuvre", "Second œuvre", "Nettoyage", "Espaces verts", "Voirie"])


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Entreprise {n} SAS")
    siret = factory.Sequence(lambda n: siret_with_luhn(f"{732829320 + n:09d}0007"))
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
