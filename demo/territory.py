"""The builder of one territory: its buyers, companies, markets, lots, clauses, awards, people,
assignments, hours, outcomes and SIAE purchases, generated in memory from one random.Random and written
with bulk_create (demo.territory_markets and demo.territory_people hold the later steps)."""

import time
from dataclasses import dataclass, field

from clauses_site.text import company_key
from companies.models import Company, Contact
from demo.common import luhn_siret, phone, slug
from demo.territory_markets import MarketSteps
from demo.territory_people import PeopleSteps
from demo.vocabulary import (
    BUILDING_LOTS,
    DUNKERQUE_BUYERS,
    DUNKERQUE_COMMUNES,
    DUNKERQUE_NEIGHBOURHOODS,
    FIRST_NAMES,
    LAST_NAMES,
    OTHER_TERRITORIES,
    PUBLIC_WORKS_LOTS,
    SERVICES,
    STREETS,
    BuyerSpec,
    K,
)
from markets.models import Buyer, BuyerContact, Operation


@dataclass
class Registry:
    """What must stay unique across the territories of one run."""

    sirets: set = field(default_factory=set)
    company_keys: set = field(default_factory=set)
    identities: set = field(default_factory=set)
    buyer_names: set = field(default_factory=set)


def timed(step, log=None):
    """Run step(); with `log`, say how long it took (wall clock and processor)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = step()
    if log:
        log(
            f"  {step.__name__:<26} {time.perf_counter() - started:5.2f} s "
            f"(processeur {time.process_time() - cpu:5.2f} s)"
        )
    return result


class Territory(MarketSteps, PeopleSteps):
    """One territory's data, generated in memory and written with bulk_create."""

    def __init__(self, index, rng, today, users, registry, sectors, criteria, volumes):
        self.index = index
        self.rng = rng
        self.today = today
        self.users = users
        self.registry = registry
        self.sectors = sectors
        self.criteria = criteria
        self.volumes = volumes
        self.current_month = today.replace(day=1)
        self.facilitators = [users["facilitatrice"], users["facilitatrice2"], users["responsable"]]
        self.validator = users["responsable"]
        if index == 0:
            self.name = "Dunkerque"
            self.communes = DUNKERQUE_COMMUNES
            self.buyer_specs = DUNKERQUE_BUYERS
            self.neighbourhoods = DUNKERQUE_NEIGHBOURHOODS
        else:
            self.name, communes, quarters = OTHER_TERRITORIES[(index - 1) % len(OTHER_TERRITORIES)]
            if index > len(OTHER_TERRITORIES):
                self.name = f"{self.name} {index // len(OTHER_TERRITORIES) + 1}"
            self.communes = [
                (c, f"{rng.randint(10, 95)}{rng.randint(0, 9)}00", 10 - i) for i, c in enumerate(communes)
            ]
            self.neighbourhoods = [(q, communes[0]) for q in quarters]
            self.buyer_specs = self.generic_buyers(communes, quarters)

    # -- helpers --

    def pick(self, weighted):
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def commune(self):
        return self.pick([(c, w) for c, _, w in self.communes])

    def postal_code(self, commune):
        return next((p for c, p, _ in self.communes if c == commune), "")

    def address(self):
        return f"{self.rng.randint(1, 180)} {self.rng.choice(STREETS)}"

    def generic_buyers(self, communes, quarters):
        city = communes[0]
        code = f"T{self.index}"
        specs = [
            BuyerSpec(
                f"Communauté d'agglomération de {self.name}",
                K.INTERCOMMUNALITY,
                city,
                f"{code}A",
                35,
                [f"NPNRU {q}" for q in quarters],
            ),
            BuyerSpec(
                f"{self.name} Habitat", K.SOCIAL_LANDLORD, city, f"{code}H", 18, [f"NPNRU {quarters[0]}"]
            ),
            BuyerSpec(f"Logis de {self.name}", K.SOCIAL_LANDLORD, city, f"{code}L", 10),
            BuyerSpec(f"Centre hospitalier de {self.name}", K.HOSPITAL, city, f"{code}CH", 6),
            BuyerSpec(f"Port et zones d'activités de {self.name}", K.OTHER, city, f"{code}P", 6),
        ]
        for i, commune in enumerate(communes):
            specs.append(
                BuyerSpec(f"Ville de {commune}", K.COMMUNE, commune, f"{code}V{i}", 20 if i == 0 else 5)
            )
        return [s for s in specs if s.name not in self.registry.buyer_names]

    def unique_company_name(self, make):
        for _ in range(50):
            name = make()
            key = company_key(name)
            if key not in self.registry.company_keys:
                self.registry.company_keys.add(key)
                return name
        name = f"{make()} {self.name} {len(self.registry.company_keys)}"
        self.registry.company_keys.add(company_key(name))
        return name

    def siret(self):
        while True:
            siret = luhn_siret(self.rng)
            if siret not in self.registry.sirets:
                self.registry.sirets.add(siret)
                return siret

    def contact(self, model, roles, domain, **owner):
        """A buyer's or a company's contact (model BuyerContact or Contact): a name, a role, a phone."""
        first = self.rng.choice(FIRST_NAMES[self.rng.choice("FH")])
        last = self.rng.choice(LAST_NAMES)
        return model(
            **owner,
            name=f"{first} {last}",
            role=self.rng.choice(roles),
            phone=phone(self.rng),
            email=f"{slug(first)}.{slug(last)}@{domain}.fr",
        )

    # -- steps --

    def run(self, log=None, people=True):
        """Every step; without `people`, only the buyers, companies, markets, lots, clauses and awards
        (the « national » scale writes the rest in bulk: demo.national)."""
        steps = [self.make_buyers, self.make_companies, self.make_markets, self.make_lots_clauses_awards]
        if people:
            steps += [
                self.make_assignments,
                self.make_participants,
                self.make_hours,
                self.make_outcomes,
                self.make_siae_purchases,
            ]
        for step in steps:
            timed(step, log)

    def make_buyers(self):
        rng = self.rng
        buyers, contacts, operations = [], [], []
        for spec in self.buyer_specs:
            self.registry.buyer_names.add(spec.name)
            buyer = Buyer(
                name=spec.name,
                kind=spec.kind,
                address=spec.address or self.address(),
                commune=spec.commune,
                phone=phone(rng),
                email=f"commande-publique@{slug(spec.name)}.fr",
            )
            buyer.compute_keys()
            buyers.append(buyer)
        Buyer.objects.bulk_create(buyers)
        self.buyers = list(zip(self.buyer_specs, buyers, strict=True))
        roles = [
            "Responsable de la commande publique",
            "Chargé d'opération",
            "Directeur des services techniques",
            "Chargée de mission développement durable",
            "Acheteuse",
        ]
        self.operations = {}
        for spec, buyer in self.buyers:
            for _ in range(rng.randint(1, 3)):
                contacts.append(self.contact(BuyerContact, roles, slug(spec.name), buyer=buyer))
            for name in spec.operations:
                operations.append(
                    Operation(
                        buyer=buyer,
                        name=name,
                        description=f"Opération « {name} ».".replace(
                            "« NPNRU", "« Nouveau programme de renouvellement urbain,"
                        ),
                    )
                )
        BuyerContact.objects.bulk_create(contacts)
        Operation.objects.bulk_create(operations)
        for operation in operations:
            self.operations.setdefault(operation.buyer_id, []).append(operation)

    def make_companies(self):
        rng = self.rng
        n = self.volumes["companies"]
        kinds = Company.Kind
        # (kind, share of the companies)
        plan = [
            (kinds.EI, 0.04),
            (kinds.ETTI, 0.03),
            (kinds.AI, 0.02),
            (kinds.ACI, 0.035),
            (kinds.EITI, 0.005),
            (kinds.GEIQ, 0.01),
            (kinds.EA, 0.02),
            (kinds.ESAT, 0.015),
            (kinds.ETT, 0.05),
            (kinds.TRAINING, 0.035),
            (kinds.OTHER, 0.01),
        ]
        counts = [(kind, max(1, round(n * share))) for kind, share in plan]
        counts.insert(0, (kinds.ORDINARY, n - sum(c for _, c in counts)))
        trades = BUILDING_LOTS + PUBLIC_WORKS_LOTS + [t for t, _ in SERVICES]
        words = {
            "Bâtiment — gros œuvre": ["Maçonnerie", "Constructions", "Bâtiment", "Gros Œuvre"],
            "Bâtiment — second œuvre": ["Menuiserie", "Couverture", "Plâtrerie", "Isolation", "Étanchéité"],
            "Peinture et revêtements": ["Peinture", "Revêtements", "Sols", "Décoration"],
            "Charpente et métallerie": ["Charpente Métallique", "Métallerie", "Serrurerie"],
            "Génie climatique": ["Thermique", "Chauffage", "Plomberie", "Énergies"],
            "Génie électrique": ["Électricité", "Élec", "Courants Faibles"],
            "Travaux publics et voirie": ["TP", "Travaux Publics", "Terrassement", "Voirie", "Réseaux"],
            "Espaces verts": ["Paysages", "Jardins", "Espaces Verts"],
            "Nettoyage et propreté": ["Propreté", "Nettoyage", "Multiservices"],
            "Déchets et recyclage": ["Environnement", "Recyclage"],
            "Restauration collective": ["Restauration", "Traiteur"],
            "Services aux entreprises": ["Sécurité", "Services"],
        }
        places = [
            "du Littoral",
            "des Flandres",
            "de l'Opale",
            "Côte d'Opale",
            "Jean Bart",
            "du Dunkerquois",
            "Maritime",
            "Nord",
            "des Dunes",
            "du Port",
            "des Moëres",
            "Grand Large",
        ]
        if self.index:
            places = [f"de {self.name}", f"{self.name}", "Nord", "Hauts-de-France", "du Centre", "de l'Est"]
        forms = ["SAS", "SARL", "SA", "EURL", "", "", "SAS"]
        insertion_names = {
            kinds.EI: (
                ["Atelier", "Tremplin", "Passerelle", "Cap", "Horizon", "Relais", "Régie"],
                "entreprise d'insertion",
            ),
            kinds.ETTI: (["Interm'", "Intérim Insertion", "Tremplin Intérim", "Temporis"], "ETTI"),
            kinds.AI: (["Coup de Main", "Dunes Services", "Emploi Services", "Solidarité Emploi"], "AI"),
            kinds.ACI: (["Jardins", "Chantier", "Patrimoine", "Réemploi", "Vélo"], "ACI"),
            kinds.EITI: (["Coursiers", "Artisans Solidaires"], "EITI"),
            kinds.GEIQ: (["BTP", "Propreté", "Industrie", "Transport Logistique"], "GEIQ"),
            kinds.EA: (["Flandre Adaptée", "Opale Services Adaptés", "Atelier Adapté"], "EA"),
            kinds.ESAT: (["Les Dunes", "Le Moulin", "La Passerelle", "Les Ateliers du Port"], "ESAT"),
            kinds.ETT: (["Intérim", "Flex Emploi", "Travail Temporaire", "Job Services"], "ETT"),
            kinds.TRAINING: (
                ["Formation BTP", "Institut de Formation", "Centre de Formation", "Compétences"],
                "",
            ),
            kinds.OTHER: (["Association", "Fondation", "Coopérative"], ""),
        }
        companies, sector_links, contacts = [], [], []
        sector_by_name = {s.name: s for s in self.sectors}
        for kind, count in counts:
            for _ in range(count):
                if kind == kinds.ORDINARY:
                    t = rng.choice(trades)
                    sector_names = [t.sector]
                    word = rng.choice(words[t.sector])

                    def make(word=word):
                        style = rng.random()
                        family = rng.choice(LAST_NAMES)
                        if style < 0.4:
                            return f"{word} {family} {rng.choice(forms)}".strip()
                        if style < 0.7:
                            return f"{family} {word} {rng.choice(forms)}".strip()
                        return f"{word} {rng.choice(places)} {rng.choice(forms)}".strip()

                    ess = rng.random() < 0.03
                else:
                    prefixes, label = insertion_names[kind]

                    def make(prefixes=prefixes, label=label):
                        base = f"{rng.choice(prefixes)} {rng.choice(places)}"
                        return f"{label} {base}".strip() if label and rng.random() < 0.6 else base

                    sector_names = {
                        kinds.ETTI: ["Intérim et emploi"],
                        kinds.AI: ["Intérim et emploi", "Nettoyage et propreté"],
                        kinds.ETT: ["Intérim et emploi"],
                        kinds.GEIQ: ["Intérim et emploi", "Bâtiment — gros œuvre"],
                        kinds.TRAINING: ["Formation"],
                    }.get(kind) or [rng.choice(trades).sector, rng.choice(trades).sector]
                    ess = kind in kinds.insertion_kinds() or kind == kinds.OTHER or rng.random() < 0.1
                name = self.unique_company_name(make)
                commune = self.commune()
                company = Company(
                    name=name,
                    siret="" if rng.random() < 0.04 else self.siret(),
                    kind=kind,
                    ess_member=ess,
                    address=self.address(),
                    postal_code=self.postal_code(commune),
                    commune=commune,
                    phone=phone(rng),
                    email=f"contact@{slug(name)}.fr",
                    website=f"https://www.{slug(name)}.fr" if rng.random() < 0.5 else "",
                    description=self.describe(kind, sector_names) if kind != kinds.ORDINARY or ess else "",
                )
                company.compute_keys()
                companies.append(company)
                sector_links.append(sorted(set(sector_names)))
        Company.objects.bulk_create(companies)
        through = Company.sectors.through
        links = [
            through(company_id=c.pk, sector_id=sector_by_name[s].pk)
            for c, names in zip(companies, sector_links, strict=True)
            for s in names
        ]
        through.objects.bulk_create(links)
        contact_roles = [
            "Gérant",
            "Conducteur de travaux",
            "Chargée de recrutement",
            "Responsable RH",
            "Directrice",
            "Chargé d'insertion",
            "Assistante d'agence",
        ]
        for company in companies:
            for _ in range(rng.choice([0, 1, 1, 1, 2])):
                contacts.append(self.contact(Contact, contact_roles, slug(company.name), company=company))
        Contact.objects.bulk_create(contacts)
        self.companies = companies
        self.by_kind = {}
        for company in companies:
            self.by_kind.setdefault(company.kind, []).append(company)
        self.by_sector = {}
        for company, names in zip(companies, sector_links, strict=True):
            if company.kind == kinds.ORDINARY:
                for s in names:
                    self.by_sector.setdefault(s, []).append(company)

    def describe(self, kind, sector_names):
        what = ", ".join(s.lower() for s in sector_names)
        intro = {
            Company.Kind.EI: "Entreprise d'insertion",
            Company.Kind.ETTI: "Entreprise de travail temporaire d'insertion",
            Company.Kind.AI: "Association intermédiaire",
            Company.Kind.ACI: "Atelier et chantier d'insertion",
            Company.Kind.EITI: "Entreprise d'insertion par le travail indépendant",
            Company.Kind.GEIQ: "Groupement d'employeurs pour l'insertion et la qualification",
            Company.Kind.EA: "Entreprise adaptée",
            Company.Kind.ESAT: "Établissement et service d'aide par le travail",
            Company.Kind.ETT: "Agence de travail temporaire",
            Company.Kind.TRAINING: "Organisme de formation",
        }.get(kind, "Structure de l'économie sociale et solidaire")
        return (
            f"{intro} du territoire de {self.name} ({what}). Mise à disposition de salariés, "
            f"sous-traitance et prestations pour les entreprises titulaires de marchés avec clause sociale."
        )
