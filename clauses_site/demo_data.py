"""Deterministic demo data for the Dunkerque territory (design.md, « demo » scale), and a larger data
set made of several territories for performance work (« national » scale, generated in batches).

Everything comes from one random.Random with a fixed seed and a fixed « today » (DEMO_TODAY): two runs
on empty databases give the same records (primary keys aside). Rows are written with bulk_create;
the historized models (Participant, Clause, Award, Assignment, HoursEntry) get their first history
record too (simple_history's bulk_create_with_history), dated when the record would have been made and
signed by the facilitator in charge, so that « who changed what » pages show a believable story.

Shape of the data:
- buyers of every kind (CUD, communes, Dunkerque-Port, Département du Nord, social landlords,
  hospitals…), their contacts and operations (NPNRU neighbourhoods, large works);
- markets spread over every pipeline stage, with the StageChange records of their path, a facilitator
  in charge, lots from the « clause intégrée au DCE » stage on, clauses mixing formula and stated
  hours, awards from « attribué » on with the lot's hours split among the companies;
- companies of every kind (ordinary firms, SIAE, GEIQ, EA, ESAT, temp agencies, training bodies) with
  valid SIRETs, sectors and contacts; participants with French names, criteria, prescribers;
- assignments of every modality and contract type on the lots in execution or finished, monthly hours
  from January 2024 to the current month with gaps and declaration lags (some lots late, some ahead),
  the last months partly in draft; outcomes at the end and six months later; SIAE purchases.
"""

import datetime
import random
import time
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from clauses_site.demo_users import create_demo_users
from clauses_site.text import company_key
from clauses_site.vocabulary import CRITERIA
from companies.models import Company, Contact, Sector
from hours.models import SIAE_PURCHASE_KINDS, Assignment, ContractType, HoursEntry, Modality, SiaePurchase
from markets.models import (
    Award,
    Buyer,
    BuyerContact,
    Clause,
    ClauseType,
    Lot,
    Market,
    Operation,
    Stage,
    StageChange,
)
from participants.models import Criterion, Outcome, Participant, identity_key

SEED = 20261126
DEMO_TODAY = datetime.date(2026, 11, 26)
FIRST_MONTH = datetime.date(2024, 1, 1)  # three years of monthly hours
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
D = Decimal
CENT = Decimal("0.01")

#: Volumes of one territory (design.md, « demo » scale); « national » makes NATIONAL_TERRITORIES of them.
VOLUMES = {"markets": 300, "companies": 400, "participants": 600, "assignments": 1200}
NATIONAL_TERRITORIES = 10


# --- months ---------------------------------------------------------------------------------------------


def month_index(day):
    return day.year * 12 + day.month - 1


def from_index(index, day=1):
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, day)


def add_months(day, months):
    return from_index(month_index(day) + months, 1)


def end_of_month(day):
    return from_index(month_index(day) + 1) - datetime.timedelta(days=1)


def aware(day, hour=10, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


# --- vocabulary of the territory ------------------------------------------------------------------------

DUNKERQUE_COMMUNES = [
    # (commune, postal code, weight as a place of residence)
    ("Dunkerque", "59140", 34),
    ("Grande-Synthe", "59760", 14),
    ("Coudekerque-Branche", "59210", 8),
    ("Saint-Pol-sur-Mer", "59430", 7),
    ("Téteghem-Coudekerque-Village", "59229", 3),
    ("Gravelines", "59820", 5),
    ("Bourbourg", "59630", 3),
    ("Loon-Plage", "59279", 3),
    ("Leffrinckoucke", "59495", 2),
    ("Zuydcoote", "59123", 1),
    ("Cappelle-la-Grande", "59180", 4),
    ("Armbouts-Cappel", "59380", 1),
    ("Bray-Dunes", "59123", 2),
    ("Craywick", "59279", 1),
    ("Spycker", "59380", 1),
    ("Grand-Fort-Philippe", "59153", 3),
    ("Ghyvelde", "59254", 1),
]
DUNKERQUE_NEIGHBOURHOODS = [
    ("Banc-Vert", "Dunkerque"),
    ("Île-Jeanty", "Dunkerque"),
    ("Jean-Bart/Guynemer", "Dunkerque"),
    ("Carnot-Dolet", "Saint-Pol-sur-Mer"),
    ("Îlot des Peintres", "Grande-Synthe"),
    ("Degroote", "Téteghem-Coudekerque-Village"),
]


@dataclass
class BuyerSpec:
    name: str
    kind: str
    commune: str
    code: str
    weight: int  # share of the territory's markets
    operations: list = field(default_factory=list)
    address: str = ""


K = Buyer.Kind
DUNKERQUE_BUYERS = [
    BuyerSpec(
        "Communauté Urbaine de Dunkerque",
        K.INTERCOMMUNALITY,
        "Dunkerque",
        "CUD",
        40,
        [
            "NPNRU Banc-Vert",
            "NPNRU Île-Jeanty",
            "NPNRU Jean-Bart/Guynemer",
            "Gigafactories — accès et réseaux",
        ],
        "Pertuis de la Marine",
    ),
    BuyerSpec(
        "Ville de Dunkerque",
        K.COMMUNE,
        "Dunkerque",
        "VDK",
        28,
        ["NPNRU Île-Jeanty", "Plan écoles 2024-2028", "Digue de Malo-les-Bains"],
        "place Charles Valentin",
    ),
    BuyerSpec("Ville de Grande-Synthe", K.COMMUNE, "Grande-Synthe", "VGS", 12, ["NPNRU Îlot des Peintres"]),
    BuyerSpec("Ville de Coudekerque-Branche", K.COMMUNE, "Coudekerque-Branche", "VCB", 7),
    BuyerSpec("Ville de Saint-Pol-sur-Mer", K.COMMUNE, "Saint-Pol-sur-Mer", "VSP", 6, ["NPNRU Carnot-Dolet"]),
    BuyerSpec("Ville de Téteghem-Coudekerque-Village", K.COMMUNE, "Téteghem-Coudekerque-Village", "VTC", 4),
    BuyerSpec("Ville de Gravelines", K.COMMUNE, "Gravelines", "VGR", 6),
    BuyerSpec("Ville de Bourbourg", K.COMMUNE, "Bourbourg", "VBB", 3),
    BuyerSpec("Ville de Loon-Plage", K.COMMUNE, "Loon-Plage", "VLP", 3),
    BuyerSpec("Ville de Leffrinckoucke", K.COMMUNE, "Leffrinckoucke", "VLF", 2),
    BuyerSpec("Ville de Zuydcoote", K.COMMUNE, "Zuydcoote", "VZY", 1),
    BuyerSpec("Ville de Cappelle-la-Grande", K.COMMUNE, "Cappelle-la-Grande", "VCG", 3),
    BuyerSpec("Ville d'Armbouts-Cappel", K.COMMUNE, "Armbouts-Cappel", "VAC", 1),
    BuyerSpec("Ville de Bray-Dunes", K.COMMUNE, "Bray-Dunes", "VBD", 2),
    BuyerSpec("Ville de Craywick", K.COMMUNE, "Craywick", "VCW", 1),
    BuyerSpec("Ville de Spycker", K.COMMUNE, "Spycker", "VSY", 1),
    BuyerSpec("Ville de Grand-Fort-Philippe", K.COMMUNE, "Grand-Fort-Philippe", "VGF", 2),
    BuyerSpec("Ville de Ghyvelde", K.COMMUNE, "Ghyvelde", "VGH", 1),
    BuyerSpec(
        "Dunkerque-Port",
        K.PORT,
        "Dunkerque",
        "DKP",
        14,
        ["Zone Grandes Industries — gigafactories", "Quai de Flandre"],
        "2505 route de l'Écluse Trystram",
    ),
    BuyerSpec("Département du Nord", K.DEPARTMENT, "Dunkerque", "CD59", 10, ["Collèges du Dunkerquois"]),
    BuyerSpec("Région Hauts-de-France", K.REGION, "Dunkerque", "RHDF", 5, ["Lycées du littoral"]),
    BuyerSpec("Sous-préfecture de Dunkerque", K.STATE, "Dunkerque", "SPD", 1),
    BuyerSpec(
        "Direction départementale des territoires et de la mer du Nord", K.STATE, "Dunkerque", "DDTM", 2
    ),
    BuyerSpec(
        "Flandre Opale Habitat",
        K.SOCIAL_LANDLORD,
        "Dunkerque",
        "FOH",
        16,
        ["NPNRU Banc-Vert", "NPNRU Carnot-Dolet", "Réhabilitations 2025"],
    ),
    BuyerSpec(
        "Partenord Habitat",
        K.SOCIAL_LANDLORD,
        "Dunkerque",
        "PNH",
        12,
        ["NPNRU Îlot des Peintres", "NPNRU Degroote"],
    ),
    BuyerSpec("Vilogia", K.SOCIAL_LANDLORD, "Dunkerque", "VIL", 8, ["NPNRU Jean-Bart/Guynemer"]),
    BuyerSpec("Habitat du Nord", K.SOCIAL_LANDLORD, "Coudekerque-Branche", "HDN", 4),
    BuyerSpec("Cottage Social des Flandres", K.SOCIAL_LANDLORD, "Dunkerque", "CSF", 3),
    BuyerSpec("Norévie", K.SOCIAL_LANDLORD, "Grande-Synthe", "NOR", 2),
    BuyerSpec(
        "Centre hospitalier de Dunkerque",
        K.HOSPITAL,
        "Dunkerque",
        "CHD",
        6,
        ["Extension du pôle mère-enfant"],
    ),
    BuyerSpec("Centre hospitalier maritime de Zuydcoote", K.HOSPITAL, "Zuydcoote", "CHZ", 2),
    BuyerSpec("EHPAD public de Gravelines", K.HOSPITAL, "Gravelines", "EHG", 1),
    BuyerSpec("Université du Littoral Côte d'Opale", K.OTHER, "Dunkerque", "ULCO", 3),
    BuyerSpec("Centre communal d'action sociale de Dunkerque", K.OTHER, "Dunkerque", "CCAS", 2),
    BuyerSpec(
        "S3D — Société publique locale d'aménagement",
        K.OTHER,
        "Dunkerque",
        "S3D",
        5,
        ["Pôle gare de Dunkerque"],
    ),
    BuyerSpec(
        "Syndicat mixte des transports de l'agglomération dunkerquoise", K.OTHER, "Dunkerque", "SMT", 3
    ),
    BuyerSpec("EDF — aménagements EPR2 Gravelines", K.OTHER, "Gravelines", "EPR2", 4, ["EPR2 Gravelines"]),
    BuyerSpec("Syndicat intercommunal des dunes de Flandre", K.OTHER, "Leffrinckoucke", "SIDF", 1),
    BuyerSpec("Office de tourisme communautaire", K.OTHER, "Dunkerque", "OTC", 1),
    BuyerSpec("Ville de Fort-Mardyck", K.COMMUNE, "Dunkerque", "VFM", 1),
]

#: Buyers whose markets may be large sites (10,000+ hours), with the chance that one is.
LARGE_SITES = {"CUD": 0.08, "DKP": 0.3, "EPR2": 0.6, "CHD": 0.2, "RHDF": 0.1, "CD59": 0.05}

LARGE_TITLES = {
    "CUD": [
        "Gigafactories — voiries et réseaux de la zone industrielle de Loon-Plage",
        "Pôle d'échanges multimodal de la gare de Dunkerque",
        "Construction du centre aquatique communautaire",
    ],
    "DKP": [
        "Gigafactories — aménagement des plateformes de la zone Grandes Industries",
        "Réhabilitation du quai de Flandre",
        "Terminal roulier — voiries et réseaux d'accès",
    ],
    "EPR2": [
        "EPR2 Gravelines — terrassements et plateformes",
        "EPR2 Gravelines — base vie et bâtiments d'accueil",
        "EPR2 Gravelines — voiries et réseaux",
    ],
    "CHD": ["Extension du centre hospitalier — bâtiment {letter}", "Pôle mère-enfant du centre hospitalier"],
    "RHDF": ["Reconstruction du lycée {school} à {commune}"],
    "CD59": ["Reconstruction du collège {school} à {commune}"],
}
GENERIC_LARGE_TITLES = [
    "Construction du centre aquatique de l'agglomération de {city}",
    "Pôle d'échanges de la gare de {city}",
    "Zone d'activités — voiries et réseaux",
]

#: Other territories for the « national » data set: (agglomeration, communes, neighbourhoods).
OTHER_TERRITORIES = [
    ("Calais", ["Calais", "Coulogne", "Marck", "Sangatte", "Coquelles"], ["Beau-Marais", "Fort-Nieulay"]),
    (
        "Boulogne-sur-Mer",
        ["Boulogne-sur-Mer", "Outreau", "Le Portel", "Saint-Martin-Boulogne"],
        ["Transition"],
    ),
    (
        "Lens-Liévin",
        ["Lens", "Liévin", "Avion", "Harnes", "Loos-en-Gohelle"],
        ["Grande Résidence", "Calonne"],
    ),
    (
        "Valenciennes",
        ["Valenciennes", "Anzin", "Denain", "Saint-Saulve", "Marly"],
        ["Chasse Royale", "Dutemple"],
    ),
    ("Amiens", ["Amiens", "Camon", "Longueau", "Rivery", "Salouël"], ["Étouvie", "Pierre Rollin"]),
    ("Rouen", ["Rouen", "Sotteville-lès-Rouen", "Le Grand-Quevilly", "Canteleu"], ["Grammont", "Châtelet"]),
    (
        "Le Havre",
        ["Le Havre", "Harfleur", "Montivilliers", "Gonfreville-l'Orcher"],
        ["Mont-Gaillard", "Caucriauville"],
    ),
    ("Reims", ["Reims", "Tinqueux", "Bétheny", "Cormontreuil"], ["Croix-Rouge", "Orgeval"]),
    ("Saint-Quentin", ["Saint-Quentin", "Gauchy", "Harly", "Rouvroy"], ["Europe", "Vermandois"]),
    ("Arras", ["Arras", "Achicourt", "Saint-Laurent-Blangy", "Beaurains"], ["Saint-Pol Baudimont"]),
]

STREETS = [
    "rue de la République",
    "avenue de la Mer",
    "rue Jean Jaurès",
    "boulevard Sainte-Barbe",
    "rue du Jeu de Mail",
    "quai des Hollandais",
    "rue de Lille",
    "avenue des Bains",
    "rue Paul Machy",
    "rue du Sud",
    "route de Bourbourg",
    "rue Georges Clemenceau",
    "place Jean Bart",
    "rue de Cassel",
    "boulevard Alexandre III",
    "rue des Fusiliers Marins",
    "avenue de Petite-Synthe",
    "rue Victor Hugo",
    "rue Pasteur",
    "rue Gambetta",
    "avenue de l'Université",
    "rue du Fort Louis",
    "rue de l'Écluse de Bergues",
    "rue Émile Zola",
    "rue de la Paix",
    "chemin des Dunes",
    "rue des Chantiers de France",
    "avenue Anatole France",
]
SCHOOLS = ["Lamartine", "Jules Ferry", "Paul Bert", "Louise Michel", "Jean Macé", "Victor Hugo", "Pasteur"]
RESIDENCES = [
    "Les Glacis",
    "Le Méridien",
    "Les Tilleuls",
    "La Citadelle",
    "Les Mouettes",
    "Le Phare",
    "Les Dunes",
]


def words(text):
    return text.split()


LAST_NAMES = words(
    "Vandenbussche Deschodt Dewaele Vercoutter Declercq Vanhove Hennebelle Verhaeghe Delattre Decool Dequidt "
    "Cuvelier Bouquillon Lefebvre Dubois Martin Bernard Petit Durand Leroy Moreau Lefèvre Roussel Dupont "
    "Lemaire Leclercq Carpentier Caron Fournier Delannoy Lemoine Vasseur Deroo Devos Vandewalle Vanpeene "
    "Ryckebusch Ducrocq Boulanger Gheerbrant Everaere Baert Coopman Dehaene Desmet Mahieu Platteau "
    "Quaegebeur Smagghe Teerlynck Verschaeve Wyckaert Benali Bensaïd Bouzid Haddad Mebarki Amrani Cherif "
    "Belkacem Ouali Diallo Traoré Camara Ndiaye Mendy Ferreira Pereira Kowalski Nowak Lewandowski Ribeiro "
    "Lopez Garcia Yilmaz Demir Nguyen Hérault Béhague Crépin Février Lécuyer Sénéchal Rémy Gaëlle Noël "
    "Lefranc Delepierre Vanbremeersch Hoste Lannoy Maës Duhamel Fontaine Wallart Hochart Lebrun"
)
LAST_NAMES += ["Le Goff", "Da Silva", "Ait Ahmed", "Van Acker", "De Smet", "D'Hondt", "Ben Youssef"]
FIRST_NAMES = {
    "F": words(
        "Élodie Sandrine Aurélie Céline Nathalie Sophie Émilie Mélanie Laëtitia Chloé Léa Manon Inès Yasmina "
        "Fatima Nadia Samia Aïcha Karima Océane Jessica Mégane Anaïs Zoé Maëlys Hélène Valérie Christelle "
        "Séverine Amandine Marie-Laure Anne-Sophie Fatoumata Aminata Noémie Justine Coralie Priscilla"
    ),
    "H": words(
        "Karim Mehdi Kévin Jérôme Sébastien Grégory Frédéric Stéphane Jean-Pierre Jean-François Benoît "
        "Cédric Loïc Anthony Dylan Théo Lucas Enzo Rayan Yanis Bilal Mohamed Youssef Nordine Rachid Samir "
        "Mamadou "
        "Moussa Ibrahima François Hervé Rémi Jérémy Maxime Thomas Nicolas Julien Ludovic Franck Mickaël "
        "Raphaël Noé Dimitri Steve"
    ),
}
REFERENTS = [
    "Anne Vanhove (PLIE)",
    "Julien Deroo (PLIE)",
    "Samira Bouzid (PLIE)",
    "Pascale Lemaire (France Travail)",
    "Thierry Coopman (Mission locale)",
    "Isabelle Baert (Cap emploi)",
    "Hakim Amrani (Département, RSA)",
]
PRESCRIBERS = [
    ("PLIE", 40),
    ("France Travail", 25),
    ("Mission locale", 13),
    ("Cap emploi", 4),
    ("SIAE", 9),
    ("Département (RSA)", 6),
    ("Autre", 3),
]


@dataclass(frozen=True)
class Trade:
    title: str
    labour_share: Decimal
    jobs: tuple
    sector: str


def trade(title, share, jobs, sector):
    return Trade(title, D(share), tuple(jobs.split(", ")), sector)


BUILDING_LOTS = [
    trade("Gros œuvre", "0.5", "Maçon, Coffreur, Manœuvre BTP, Aide-maçon", "Bâtiment — gros œuvre"),
    trade("Démolition — désamiantage", "0.6", "Ouvrier de démolition, Manœuvre BTP", "Bâtiment — gros œuvre"),
    trade("Charpente métallique", "0.2", "Monteur charpente, Soudeur", "Charpente et métallerie"),
    trade("Couverture — étanchéité", "0.45", "Couvreur, Étancheur", "Bâtiment — second œuvre"),
    trade("Menuiseries extérieures", "0.35", "Menuisier poseur", "Bâtiment — second œuvre"),
    trade("Plâtrerie — isolation", "0.55", "Plaquiste, Aide-plaquiste", "Bâtiment — second œuvre"),
    trade("Peinture intérieure", "0.7", "Peintre en bâtiment, Aide-peintre", "Peinture et revêtements"),
    trade("Revêtements de sols", "0.5", "Solier, Carreleur", "Peinture et revêtements"),
    trade("Plomberie — chauffage — ventilation", "0.4", "Plombier chauffagiste", "Génie climatique"),
    trade("Électricité", "0.45", "Électricien, Aide-électricien", "Génie électrique"),
    trade("VRD — espaces extérieurs", "0.35", "Ouvrier VRD, Canalisateur", "Travaux publics et voirie"),
    trade("Espaces verts", "0.6", "Ouvrier paysagiste", "Espaces verts"),
]
PUBLIC_WORKS_LOTS = [
    trade(
        "Terrassement — voirie",
        "0.35",
        "Ouvrier VRD, Manœuvre TP, Conducteur d'engins",
        "Travaux publics et voirie",
    ),
    trade("Réseaux", "0.35", "Canalisateur, Manœuvre TP", "Travaux publics et voirie"),
    trade("Signalisation — marquage", "0.4", "Agent de signalisation", "Travaux publics et voirie"),
    trade("Éclairage public", "0.4", "Électricien éclairage public", "Génie électrique"),
    trade("Espaces verts", "0.6", "Ouvrier paysagiste", "Espaces verts"),
]
SERVICES = [
    # (sector, lot trade, market titles)
    (
        trade("Nettoyage", "0.8", "Agent de propreté, Laveur de vitres", "Nettoyage et propreté"),
        [
            "Nettoyage des locaux administratifs",
            "Nettoyage des parties communes du patrimoine de {commune}",
            "Nettoyage des écoles de {commune}",
        ],
    ),
    (
        trade("Espaces verts", "0.6", "Ouvrier paysagiste, Agent d'entretien", "Espaces verts"),
        [
            "Entretien des espaces verts — secteur {commune}",
            "Entretien du littoral et des dunes",
            "Fauchage et entretien des fossés",
        ],
    ),
    (
        trade("Collecte", "0.55", "Ripeur, Agent de tri, Chauffeur poids lourd", "Déchets et recyclage"),
        ["Collecte et tri des encombrants", "Gestion des déchetteries communautaires"],
    ),
    (
        trade("Restauration", "0.45", "Commis de cuisine, Agent de restauration", "Restauration collective"),
        ["Restauration scolaire des écoles de {commune}", "Portage de repas à domicile"],
    ),
    (
        trade("Maintenance", "0.5", "Technicien de maintenance, Agent de maintenance", "Génie climatique"),
        ["Maintenance des installations de chauffage", "Entretien des bâtiments communaux de {commune}"],
    ),
    (
        trade("Accueil", "0.7", "Agent d'accueil, Agent de sécurité", "Services aux entreprises"),
        ["Accueil et gardiennage des équipements sportifs", "Surveillance des plages de {commune}"],
    ),
]
BUILDING_TITLES = [
    "Réhabilitation de {n} logements — {place}",
    "Construction de {n} logements collectifs — {place}",
    "Démolition de la résidence {residence} — {place}",
    "Réhabilitation du groupe scolaire {school} à {commune}",
    "Construction d'une salle de sports à {commune}",
    "Rénovation énergétique de l'hôtel de ville de {commune}",
    "Résidentialisation des îlots {residence} — {place}",
    "Construction d'une maison de santé à {commune}",
    "Restructuration du collège {school} à {commune}",
]
PUBLIC_WORKS_TITLES = [
    "Requalification de la {street} à {commune}",
    "Aménagement des espaces publics — {place}",
    "Voiries et réseaux — {place}",
    "Aménagement d'une piste cyclable à {commune}",
    "Renforcement de la digue — {commune}",
]
SECTORS = sorted(
    {t.sector for t in BUILDING_LOTS + PUBLIC_WORKS_LOTS}
    | {t.sector for t, _ in SERVICES}
    | {"Intérim et emploi", "Formation", "Industrie", "Transport et logistique"}
)

STAGE_WEIGHTS = [
    (Stage.SPOTTED, 20),
    (Stage.STUDY, 18),
    (Stage.PROPOSED, 15),
    (Stage.IN_TENDER_DOCS, 12),
    (Stage.PUBLISHED, 10),
    (Stage.AWARDED, 15),
    (Stage.EXECUTION, 110),
    (Stage.FINISHED, 85),
    (Stage.DROPPED, 15),
]
PIPELINE = Stage.pipeline()
WITH_LOTS = PIPELINE[PIPELINE.index(Stage.IN_TENDER_DOCS) :]
WITH_AWARDS = PIPELINE[PIPELINE.index(Stage.AWARDED) :]
WITH_HOURS = [Stage.EXECUTION, Stage.FINISHED]

MODALITY_WEIGHTS = [
    (Modality.DIRECT_HIRE, 33),
    (Modality.ETTI, 28),
    (Modality.GEIQ, 8),
    (Modality.AI, 5),
    (Modality.ETT, 6),
    (Modality.SIAE_SUBCONTRACT, 10),
    (Modality.SIAE_COCONTRACT, 3),
    (Modality.TRAINING, 7),
]
LENDERS = {
    Modality.ETTI: Company.Kind.ETTI,
    Modality.GEIQ: Company.Kind.GEIQ,
    Modality.AI: Company.Kind.AI,
    Modality.ETT: Company.Kind.ETT,
    Modality.TRAINING: Company.Kind.TRAINING,
}
OUTCOMES_AT_END = [
    (Outcome.Kind.CDI, 8),
    (Outcome.Kind.CDD_6_PLUS, 12),
    (Outcome.Kind.TEMP_6_PLUS, 10),
    (Outcome.Kind.TRAINING, 8),
    (Outcome.Kind.BUSINESS, 1),
    (Outcome.Kind.CDD_SHORT, 12),
    (Outcome.Kind.TEMP_SHORT, 15),
    (Outcome.Kind.SUBSIDISED, 5),
    (Outcome.Kind.IAE, 8),
    (Outcome.Kind.JOB_SEARCH, 14),
    (Outcome.Kind.ABANDON, 3),
    (Outcome.Kind.MOVED, 1),
    (Outcome.Kind.HEALTH, 2),
    (Outcome.Kind.UNKNOWN, 1),
]
OUTCOMES_AT_SIX_MONTHS = [
    (Outcome.Kind.CDI, 14),
    (Outcome.Kind.CDD_6_PLUS, 14),
    (Outcome.Kind.TEMP_6_PLUS, 10),
    (Outcome.Kind.TRAINING, 6),
    (Outcome.Kind.BUSINESS, 2),
    (Outcome.Kind.CDD_SHORT, 9),
    (Outcome.Kind.TEMP_SHORT, 10),
    (Outcome.Kind.SUBSIDISED, 4),
    (Outcome.Kind.IAE, 5),
    (Outcome.Kind.JOB_SEARCH, 16),
    (Outcome.Kind.MOVED, 2),
    (Outcome.Kind.HEALTH, 2),
    (Outcome.Kind.UNKNOWN, 6),
]


def luhn_siret(rng):
    """A random SIRET passing the Luhn check (SIREN of 9 digits, establishment number 000xx)."""
    base = f"{rng.randint(300_000_000, 999_999_999)}000{rng.randint(1, 9)}"
    for last in range(10):
        candidate = f"{base}{last}"
        total = 0
        for i, char in enumerate(reversed(candidate)):
            digit = int(char) * (2 if i % 2 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def phone(rng):
    return f"03 28 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def slug(text):
    return company_key(text)[:30] or "contact"


def q2(value):
    return D(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- the generator --------------------------------------------------------------------------------------


@dataclass
class Registry:
    """What must stay unique across the territories of one run."""

    sirets: set = field(default_factory=set)
    company_keys: set = field(default_factory=set)
    identities: set = field(default_factory=set)
    buyer_names: set = field(default_factory=set)


@dataclass
class LotPlan:
    lot: Lot
    market: Market
    trade: Trade
    clause: Clause | None = None
    holder: Company | None = None
    awards: list = field(default_factory=list)
    performance: Decimal = D(1)
    lag: int = 0
    assignments: list = field(default_factory=list)


class Territory:
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

    # -- steps --

    def run(self, log=None):
        steps = [
            self.make_buyers,
            self.make_companies,
            self.make_markets,
            self.make_lots_clauses_awards,
            self.make_assignments,
            self.make_participants,
            self.make_hours,
            self.make_outcomes,
            self.make_siae_purchases,
        ]
        for step in steps:
            started, cpu = time.perf_counter(), time.process_time()
            step()
            if log:
                log(
                    f"  {step.__name__:<26} {time.perf_counter() - started:5.2f} s "
                    f"(processeur {time.process_time() - cpu:5.2f} s)"
                )

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
                first = rng.choice(FIRST_NAMES[rng.choice("FH")])
                last = rng.choice(LAST_NAMES)
                contacts.append(
                    BuyerContact(
                        buyer=buyer,
                        name=f"{first} {last}",
                        role=rng.choice(roles),
                        phone=phone(rng),
                        email=f"{slug(first)}.{slug(last)}@{slug(spec.name)}.fr",
                    )
                )
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
                first = rng.choice(FIRST_NAMES[rng.choice("FH")])
                last = rng.choice(LAST_NAMES)
                contacts.append(
                    Contact(
                        company=company,
                        name=f"{first} {last}",
                        role=rng.choice(contact_roles),
                        phone=phone(rng),
                        email=f"{slug(first)}.{slug(last)}@{slug(company.name)}.fr",
                    )
                )
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

    def make_markets(self):
        rng = self.rng
        n = self.volumes["markets"]
        stages = []
        total_weight = sum(w for _, w in STAGE_WEIGHTS)
        for stage, weight in STAGE_WEIGHTS:
            stages += [stage] * round(n * weight / total_weight)
        stages = stages[:n] + [Stage.EXECUTION] * max(0, n - len(stages))
        rng.shuffle(stages)
        buyer_weights = [((spec, buyer), spec.weight) for spec, buyer in self.buyers]
        sequence = {}
        markets, changes, self.market_info = [], [], []
        for stage in stages:
            spec, buyer = self.pick(buyer_weights)
            kind = self.pick([("building", 45), ("public_works", 20), ("services", 35)])
            if spec.kind == K.SOCIAL_LANDLORD:
                kind = self.pick([("building", 80), ("services", 20)])
            chance = (
                LARGE_SITES.get(spec.code, 0.0)
                if self.index == 0
                else 0.08 * (spec.kind == K.INTERCOMMUNALITY)
            )
            if rng.random() < chance:
                kind = "large"
            dates = self.market_dates(stage)
            year = (
                dates.get("starts_on") or dates.get("expected_publication") or dates["stage_reached_on"]
            ).year
            sequence[(buyer.pk, year)] = sequence.get((buyer.pk, year), 0) + 1
            operation = None
            operations = self.operations.get(buyer.pk, [])
            if operations and rng.random() < 0.55:
                operation = rng.choice(operations)
            title, trades, service, kind = self.market_title(kind, spec, operation)
            facilitator = self.pick(list(zip(self.facilitators, (45, 40, 15), strict=True)))
            planned = ClauseType.EXECUTION
            if service is not None and rng.random() < 0.3:
                planned = self.pick(
                    [
                        (ClauseType.RESERVED_INSERTION, 5),
                        (ClauseType.RESERVED_DISABILITY, 2),
                        (ClauseType.INSERTION_MARKET, 3),
                        (ClauseType.AWARD_CRITERION, 2),
                    ]
                )
            elif rng.random() < 0.08:
                planned = ClauseType.AWARD_CRITERION
            amount = self.market_amount(kind, len(trades))
            if "{n}" in title:  # a number of dwellings in proportion to the amount
                per_dwelling = 150_000 if title.startswith("Construction") else 60_000
                title = title.replace("{n}", str(min(max(round(float(amount) / per_dwelling), 6), 240)))
            market = Market(
                buyer=buyer,
                operation=operation,
                reference=f"{spec.code}-{year}-{sequence[(buyer.pk, year)]:03d}",
                title=title,
                sector=self.sector(trades[0].sector),
                procedure=Market.Procedure.OPEN
                if amount > 2_000_000
                else self.pick(
                    [
                        (Market.Procedure.ADAPTED, 6),
                        (Market.Procedure.OPEN, 3),
                        (Market.Procedure.NEGOTIATED, 1),
                    ]
                ),
                estimated_amount=q2(amount),
                estimated_hours=q2(amount * D("0.5") * D("0.05") / 30).quantize(D(1))
                if stage not in WITH_LOTS
                else None,
                planned_clause_type="" if stage == Stage.SPOTTED and rng.random() < 0.5 else planned,
                stage=stage,
                facilitator=facilitator,
                notes=self.market_note(stage),
                **dates,
            )
            market.compute_keys()
            markets.append(market)
            self.market_info.append((market, kind, trades, service, amount))
        Market.objects.bulk_create(markets)
        for market, *_ in self.market_info:
            changes += self.stage_path(market)
        StageChange.objects.bulk_create(changes)

    def sector(self, name):
        return next(s for s in self.sectors if s.name == name)

    def market_title(self, kind, spec, operation):
        rng = self.rng
        commune = spec.commune if spec.kind == K.COMMUNE or rng.random() < 0.5 else self.commune()
        place = operation.name.removeprefix("NPNRU ") if operation else rng.choice(self.neighbourhoods)[0]
        values = {
            "n": "{n}",
            "place": place,
            "commune": commune,
            "school": rng.choice(SCHOOLS),
            "residence": rng.choice(RESIDENCES),
            "street": rng.choice(STREETS),
            "letter": rng.choice("ABCDE"),
            "city": self.name,
        }
        if kind == "large":
            title = rng.choice(LARGE_TITLES.get(spec.code) if self.index == 0 else GENERIC_LARGE_TITLES)
            works = any(w in title for w in ("voiries", "plateformes", "terrassements", "quai", "réseaux"))
            lots = PUBLIC_WORKS_LOTS if works else BUILDING_LOTS
            count = rng.randint(3, len(lots)) if works else rng.randint(4, 8)
            return title.format(**values), rng.sample(lots, count), None, kind
        if kind == "building":
            count = rng.choice([1, 2, 2, 3, 3, 4, 5, 6])
            return rng.choice(BUILDING_TITLES).format(**values), rng.sample(BUILDING_LOTS, count), None, kind
        if kind == "public_works":
            count = rng.choice([1, 1, 2, 2, 3])
            title = rng.choice(PUBLIC_WORKS_TITLES).format(**values)
            return title, rng.sample(PUBLIC_WORKS_LOTS, count), None, kind
        service, titles = rng.choice(SERVICES)
        count = rng.choice([1, 1, 1, 1, 2, 3])
        return rng.choice(titles).format(**values), [service] * count, service, kind

    def market_amount(self, kind, lots):
        base = {"building": 900_000, "public_works": 700_000, "services": 250_000, "large": 6_000_000}[kind]
        return D(round(base * lots * self.rng.lognormvariate(0, 0.7), -3))

    def market_note(self, stage):
        notes = {
            Stage.SPOTTED: "Repéré dans le programme pluriannuel d'investissement.",
            Stage.STUDY: "Rendez-vous à prévoir avec le service acheteur.",
            Stage.PROPOSED: "Clause proposée par courrier ; relancer le service.",
            Stage.DROPPED: "Pas de clause : montant trop faible ou prestation trop technique.",
        }
        return notes.get(stage, "") if self.rng.random() < 0.6 else ""

    def market_dates(self, stage):
        """Dates consistent with the stage, relative to today."""
        rng, today = self.rng, self.today

        def days(a, b):
            return datetime.timedelta(days=rng.randint(a, b))

        if stage in WITH_HOURS:
            if stage == Stage.FINISHED:
                ends = add_months(
                    FIRST_MONTH, rng.randint(8, month_index(today) - month_index(FIRST_MONTH) - 1)
                )
                ends = end_of_month(ends)
                starts = add_months(
                    ends, -rng.randint(8, min(32, month_index(ends) - month_index(FIRST_MONTH)))
                )
            else:
                span = month_index(today) - month_index(FIRST_MONTH) - 2
                starts = add_months(FIRST_MONTH, int(span * rng.random() ** 1.3))
                ends = end_of_month(add_months(today, rng.randint(2, 30)))
            starts = starts + days(0, 20)
            awarded = starts - days(20, 75)
            published = awarded - days(45, 110)
            reached = ends + days(1, 20) if stage == Stage.FINISHED else starts
            return {
                "starts_on": starts,
                "ends_on": ends,
                "awarded_on": awarded,
                "published_on": published,
                "expected_publication": published - days(0, 30),
                "stage_reached_on": min(reached, today),
            }
        if stage == Stage.AWARDED:
            awarded = today - days(10, 120)
            starts = today + days(10, 150)
            return {
                "awarded_on": awarded,
                "published_on": awarded - days(45, 100),
                "expected_publication": awarded - days(60, 120),
                "starts_on": starts,
                "ends_on": end_of_month(add_months(starts, rng.randint(8, 36))),
                "stage_reached_on": awarded,
            }
        if stage == Stage.PUBLISHED:
            published = today - days(5, 60)
            starts = today + days(90, 240)
            return {
                "published_on": published,
                "expected_publication": published - days(0, 45),
                "starts_on": starts,
                "ends_on": end_of_month(add_months(starts, rng.randint(8, 30))),
                "stage_reached_on": published,
            }
        if stage == Stage.DROPPED:
            return {"stage_reached_on": today - days(30, 900), "expected_publication": None}
        # Before publication: the calendar of expected publications.
        reached_ago = {
            Stage.SPOTTED: (10, 400),
            Stage.STUDY: (5, 200),
            Stage.PROPOSED: (5, 150),
            Stage.IN_TENDER_DOCS: (5, 90),
        }[stage]
        expected = today + days(15, 420)
        starts = expected + days(100, 200)
        return {
            "expected_publication": expected,
            "stage_reached_on": today - days(*reached_ago),
            "starts_on": starts if stage == Stage.IN_TENDER_DOCS else None,
            "ends_on": end_of_month(add_months(starts, rng.randint(8, 30)))
            if stage == Stage.IN_TENDER_DOCS
            else None,
        }

    def stage_path(self, market):
        """StageChange records from « à l'étude » to the market's stage, dated backwards from the date it
        was reached (a market is created « repéré »: that is not a change)."""
        rng = self.rng
        if market.stage == Stage.SPOTTED:
            return []
        if market.stage == Stage.DROPPED:
            path = [Stage.STUDY] + ([Stage.PROPOSED] if rng.random() < 0.6 else []) + [Stage.DROPPED]
        else:
            path = PIPELINE[1 : PIPELINE.index(market.stage) + 1]
        known = {
            Stage.PUBLISHED: market.published_on,
            Stage.AWARDED: market.awarded_on,
            Stage.EXECUTION: market.starts_on,
        }
        changes, date = [], market.stage_reached_on
        for stage in reversed(path):
            if stage != market.stage and known.get(stage):
                date = min(known[stage], date)
            changes.append(StageChange(market=market, stage=stage, date=date, by=market.facilitator))
            date = date - datetime.timedelta(days=rng.randint(12, 60))
        return list(reversed(changes))

    def make_lots_clauses_awards(self):
        rng = self.rng
        plans = []
        for market, _kind, trades, service, amount in self.market_info:
            if market.stage not in WITH_LOTS:
                continue
            shares = [rng.uniform(0.5, 1.5) for _ in trades]
            total = sum(shares)
            for i, t in enumerate(trades):
                if len(trades) == 1:
                    number = "Unique" if rng.random() < 0.7 else "1"
                    title = t.title if service is None else market.title
                else:
                    number = self.pick([(str(i + 1), 6), (f"Lot {i + 1}", 2), (f"lot n°{i + 1}", 1)])
                    title = (
                        t.title
                        if service is None
                        else f"{t.title} — secteur {('Est', 'Ouest', 'Centre')[i % 3]}"
                    )
                starts, ends = market.starts_on, market.ends_on
                if starts and ends and len(trades) > 2 and i > 0 and rng.random() < 0.4:
                    # Second-work trades start later on a building site.
                    shift = min(rng.randint(1, 6), max(0, month_index(ends) - month_index(starts) - 2))
                    starts = add_months(starts, shift) + datetime.timedelta(days=rng.randint(0, 20))
                lot = Lot(
                    market=market,
                    number=number,
                    title=title,
                    amount=q2(D(round(float(amount) * shares[i] / total, -2))),
                    starts_on=starts,
                    ends_on=ends,
                )
                lot.compute_keys()
                plans.append(LotPlan(lot=lot, market=market, trade=t))
        Lot.objects.bulk_create([p.lot for p in plans])
        self.plans = plans
        self.calibrate(plans)
        clauses, awards = [], []
        for plan in plans:
            if rng.random() < 0.86 or plan.market.stage in WITH_HOURS and rng.random() < 0.6:
                plan.clause = self.clause_for(plan)
                clauses.append(plan.clause)
            if plan.market.stage in WITH_AWARDS:
                plan.awards = self.awards_for(plan)
                awards += plan.awards
        bulk_create_with_history(clauses, Clause)
        bulk_create_with_history(awards, Award)

    def calibrate(self, plans):
        """Scale the lots' amounts so that the hours to produce match the volume of assignments: the
        demo's hours owed and hours done stay in proportion whatever the draw of amounts."""
        rng = self.rng
        for plan in plans:
            plan.performance = D(
                str(
                    round(
                        self.pick(
                            [
                                (rng.uniform(0.30, 0.70), 20),  # late
                                (rng.uniform(0.85, 1.08), 62),
                                (rng.uniform(1.12, 1.45), 18),  # ahead
                            ]
                        ),
                        3,
                    )
                )
            )
            plan.lag = self.pick([(0, 50), (1, 30), (2, 14), (3, 6)])
        working = [p for p in plans if p.market.stage in WITH_HOURS]
        expected = sum(
            float(p.lot.amount)
            * float(p.trade.labour_share)
            * 0.05
            / 30
            * self.elapsed(p.lot)
            * float(p.performance)
            for p in working
        )
        target = self.volumes["assignments"] * 7.5 * 55  # months × hours a month per assignment
        scale = target / expected if expected else 1
        for plan in plans:
            plan.lot.amount = q2(D(round(float(plan.lot.amount) * scale, -2)) or D(1000))
        Lot.objects.bulk_update([p.lot for p in plans], ["amount"])
        for market, *_ in self.market_info:
            if market.stage in WITH_LOTS:
                market.estimated_amount = None
        amounts = {}
        for plan in plans:
            amounts[plan.market.pk] = amounts.get(plan.market.pk, D(0)) + plan.lot.amount
        for market, *_ in self.market_info:
            if market.pk in amounts:
                market.estimated_amount = q2(amounts[market.pk] * D(str(round(rng.uniform(0.9, 1.1), 2))))
        Market.objects.bulk_update([m for m, *_ in self.market_info], ["estimated_amount"])

    def elapsed(self, lot):
        if not lot.starts_on or not lot.ends_on:
            return 0.0
        first, last = month_index(lot.starts_on), month_index(lot.ends_on)
        now = month_index(self.today)
        return min(max((now - first + 1) / (last - first + 1), 0.0), 1.0)

    def clause_for(self, plan):
        rng = self.rng
        market = plan.market
        npnru = market.operation is not None and market.operation.name.startswith("NPNRU")
        rate = (
            self.pick([(D("0.05"), 60), (D("0.07"), 15), (D("0.10"), 25)])
            if not npnru
            else self.pick([(D("0.05"), 80), (D("0.10"), 20)])
        )
        cost = self.pick([(D(25), 1), (D(28), 2), (D(30), 5), (D(32), 2), (D(35), 1)])
        how = self.pick([("formula", 55), ("stated", 25), ("both", 20)])
        clause = Clause(
            lot=plan.lot,
            clause_type=market.planned_clause_type or ClauseType.EXECUTION,
            eligible_publics=["QPV"] if npnru and rng.random() < 0.6 else [],
            penalty_per_hour=D(self.pick([(30, 2), (40, 1), (50, 2), (60, 1)]))
            if rng.random() < 0.6
            else None,
            training_counts=rng.random() < 0.3,
            globalisation_allowed=rng.random() < 0.15,
        )
        if how in ("formula", "both"):
            clause.labour_share, clause.insertion_rate, clause.hourly_cost = (
                plan.trade.labour_share,
                rate,
                cost,
            )
            if rng.random() < 0.12:
                clause.formula_amount = q2(plan.lot.amount * D("0.8"))
        formula = plan.lot.amount * plan.trade.labour_share * rate / cost
        if how == "stated":
            clause.stated_hours = D(round(float(formula) * rng.uniform(0.85, 1.2), -1) or 35)
        elif how == "both":
            clause.stated_hours = D(round(float(formula) * rng.uniform(1.0, 1.3), -1) or 35)
        if market.planned_clause_type in (ClauseType.RESERVED_INSERTION, ClauseType.INSERTION_MARKET) or (
            rng.random() < 0.18
        ):
            clause.siae_labour_share, clause.siae_hourly_cost = (
                self.pick([(D("0.5"), 2), (D("0.6"), 2), (D("0.4"), 1)]),
                D(30),
            )
        clause.hours_required = clause.compute_hours_required()
        clause._history_user = market.facilitator
        clause._history_date = aware(self.clause_date(market))
        return clause

    def clause_date(self, market):
        change = market.awarded_on or market.published_on or market.stage_reached_on
        return min(change, self.today)

    def awards_for(self, plan):
        rng = self.rng
        kinds = Company.Kind
        market = plan.market
        reserved = {
            ClauseType.RESERVED_INSERTION: [kinds.EI, kinds.ACI],
            ClauseType.INSERTION_MARKET: [kinds.ACI, kinds.EI],
            ClauseType.RESERVED_DISABILITY: [kinds.EA, kinds.ESAT],
        }.get(market.planned_clause_type)
        if reserved:
            holder = rng.choice([c for k in reserved for c in self.by_kind.get(k, [])])
        else:
            pool = self.by_sector.get(plan.trade.sector) or self.by_kind[kinds.ORDINARY]
            holder = rng.choice(pool)
        plan.holder = holder
        required = plan.clause.hours_required if plan.clause else None
        awards = [Award(lot=plan.lot, company=holder, role=Award.Role.HOLDER)]
        used = {holder.pk}
        siae = [c for k in kinds.siae_kinds() for c in self.by_kind.get(k, [])]
        if not reserved and rng.random() < 0.2:
            partner = rng.choice(siae if rng.random() < 0.3 else self.by_kind[kinds.ORDINARY])
            if partner.pk not in used:
                used.add(partner.pk)
                awards.append(Award(lot=plan.lot, company=partner, role=Award.Role.CO_CONTRACTOR))
        if not reserved and rng.random() < (0.6 if plan.clause and plan.clause.siae_labour_share else 0.2):
            sub = rng.choice(siae + self.by_kind.get(kinds.EA, []))
            if sub.pk not in used:
                used.add(sub.pk)
                awards.append(Award(lot=plan.lot, company=sub, role=Award.Role.SUBCONTRACTOR))
        if required is not None:
            rest = required
            for award in awards[1:]:
                award.hours_committed = q2(required * D(str(round(rng.uniform(0.1, 0.35), 2))))
                rest -= award.hours_committed
            awards[0].hours_committed = q2(max(rest, D(0)))
            if rng.random() < 0.05:
                awards[0].hours_committed = None  # not split yet
        when = aware(market.awarded_on or self.today)
        for award in awards:
            award._history_user = market.facilitator
            award._history_date = when
        return awards

    def make_assignments(self):
        """Assignments on the lots in execution or finished, sized on the hours each lot should show."""
        current = month_index(self.today)
        working = [
            p
            for p in self.plans
            if p.market.stage in WITH_HOURS
            and p.clause
            and p.awards
            and month_index(p.lot.starts_on) <= current
        ]
        # People needed: the hours to show divided by what one person does on the lot (months × hours).
        weights = [
            max(float(p.clause.hours_required) * self.elapsed(p.lot) * float(p.performance), 1.0)
            / (min(self.months_open(p.lot), 10) * 0.8 * 55)
            for p in working
        ]
        n = self.volumes["assignments"]
        total = sum(weights)
        counts = [max(1, round(n * w / total)) for w in weights]
        # Adjust to the exact volume: add to or take from the heaviest lots.
        order = sorted(range(len(working)), key=lambda i: -weights[i])
        i = 0
        while sum(counts) != n and order:
            j = order[i % len(order)]
            if sum(counts) < n:
                counts[j] += 1
            elif counts[j] > 1:
                counts[j] -= 1
            i += 1
        self.assignments = []
        for plan, count in zip(working, counts, strict=True):
            for i in range(count):
                a = self.assignment_for(plan, first=i == 0)
                a._plan = plan
                plan.assignments.append(a)
                self.assignments.append(a)

    def months_open(self, lot):
        """Months of the lot with hours so far (from January 2024, up to the current month)."""
        first = max(month_index(lot.starts_on), month_index(FIRST_MONTH))
        return max(1, min(month_index(lot.ends_on), month_index(self.today)) - first + 1)

    def assignment_for(self, plan, first=False):
        rng = self.rng
        kinds = Company.Kind
        lot = plan.lot
        holder = plan.holder
        subs = [
            a.company
            for a in plan.awards
            if a.role == Award.Role.SUBCONTRACTOR and a.company.kind in kinds.insertion_kinds()
        ]
        cos = [
            a.company
            for a in plan.awards
            if a.role == Award.Role.CO_CONTRACTOR and a.company.kind in kinds.siae_kinds()
        ]
        modality = self.pick(MODALITY_WEIGHTS)
        if holder.kind in kinds.insertion_kinds():
            modality = Modality.DIRECT_HIRE
        if (
            modality == Modality.SIAE_SUBCONTRACT
            and not subs
            or modality == Modality.SIAE_COCONTRACT
            and not cos
        ):
            modality = Modality.DIRECT_HIRE
        company = employer = holder
        if modality == Modality.SIAE_SUBCONTRACT:
            company = employer = rng.choice(subs)
        elif modality == Modality.SIAE_COCONTRACT:
            company = employer = rng.choice(cos)
        elif modality in LENDERS:
            employer = rng.choice(self.by_kind[LENDERS[modality]])
        contract = {
            Modality.ETTI: ContractType.TEMP,
            Modality.ETT: ContractType.TEMP,
            Modality.AI: ContractType.CDDI,
            Modality.SIAE_SUBCONTRACT: ContractType.CDDI,
            Modality.SIAE_COCONTRACT: ContractType.CDDI,
            Modality.TRAINING: ContractType.OTHER,
        }.get(modality)
        if modality == Modality.GEIQ:
            contract = self.pick([(ContractType.PROFESSIONALISATION, 8), (ContractType.APPRENTICESHIP, 2)])
        if modality == Modality.DIRECT_HIRE:
            contract = (
                ContractType.CDDI
                if holder.kind in kinds.siae_kinds()
                else self.pick(
                    [
                        (ContractType.CDD, 50),
                        (ContractType.CDI, 15),
                        (ContractType.APPRENTICESHIP, 14),
                        (ContractType.PROFESSIONALISATION, 14),
                        (ContractType.OTHER, 2),
                    ]
                )
            )
        # Dates: inside the lot's execution, from January 2024, not after the current month.
        first_month = max(month_index(lot.starts_on), month_index(FIRST_MONTH))
        last = min(month_index(lot.ends_on), month_index(self.today))
        # The first person starts with the site, the others mostly in its first half (recruitment is
        # planned at its launch).
        spread = int(max(0, last - 1 - first_month) * rng.random() ** 3)
        start_month = first_month if first else first_month + spread
        if modality == Modality.TRAINING:
            months = rng.randint(1, 3)
        else:
            months = self.pick(
                [(1, 2), (2, 3), (3, 4), (4, 5), (6, 9), (8, 11), (10, 12), (12, 16), (18, 18), (24, 20)]
            )
        starts_on = from_index(start_month, 1) + datetime.timedelta(days=rng.randint(0, 20))
        starts_on = max(starts_on, lot.starts_on)
        end_month = min(start_month + months - 1, month_index(lot.ends_on))
        ends_on = end_of_month(from_index(end_month)) - datetime.timedelta(days=rng.randint(0, 10))
        ends_on = max(min(ends_on, lot.ends_on), starts_on)
        if contract == ContractType.CDI and end_month >= month_index(self.today) and rng.random() < 0.7:
            ends_on = None  # hired for good; counted until the lot ends
        job = rng.choice(plan.trade.jobs)
        if modality == Modality.TRAINING:
            job = f"Formation {job.lower()}"
        a = Assignment(
            lot=lot,
            company=company,
            employer=employer,
            modality=modality,
            contract_type=contract,
            job=job,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        return a

    def make_participants(self):
        """People, then who worked which assignment: a person works one contract after another."""
        rng = self.rng
        n = self.volumes["participants"]
        people = []
        for _ in range(n):
            sex = self.pick([("H", 72), ("F", 28)])
            while True:
                first, last = rng.choice(FIRST_NAMES[sex]), rng.choice(LAST_NAMES)
                age = self.pick(
                    [(rng.randint(18, 25), 24), (rng.randint(26, 49), 56), (rng.randint(50, 62), 20)]
                )
                birth = datetime.date(self.today.year - age - 1, 1, 1) + datetime.timedelta(
                    days=rng.randint(0, 364)
                )
                key = identity_key(last, first, birth)
                if key not in self.registry.identities:
                    self.registry.identities.add(key)
                    break
            commune = self.commune()
            qpv = self.pick([(True, 45), (False, 40), (None, 15)])
            level = self.pick(
                [
                    (Participant.Level.INFRA_3, 45),
                    (Participant.Level.LEVEL_3, 35),
                    (Participant.Level.LEVEL_4, 15),
                    (Participant.Level.LEVEL_5_PLUS, 5),
                ]
            )
            prescriber = self.pick(PRESCRIBERS)
            if age < 26 and rng.random() < 0.6:
                prescriber = "Mission locale"
            p = Participant(
                last_name=last,
                first_name=first,
                birth_date=birth,
                sex=sex,
                commune=commune,
                qpv=qpv,
                level=level,
                prescriber=prescriber,
                referent=rng.choice(REFERENTS),
            )
            p._age = age
            people.append(p)
        # Who worked which assignment, in the order of their starts.
        ordered = sorted(self.assignments, key=lambda a: (a.starts_on, a.lot.pk))
        fresh = list(people[: int(n * 0.9)])  # a tenth entered the path and has not worked yet
        rng.shuffle(fresh)
        free_from = []  # [date free, index] of people who have worked
        used = []
        seen = set()
        for a in ordered:
            end = a.ends_on or a.lot.ends_on
            candidates = [i for i, (free, _) in enumerate(free_from) if free <= a.starts_on]
            if fresh and (not candidates or rng.random() < 0.55):
                person = fresh.pop()
                used.append(person)
                free_from.append([end, person])
            elif candidates:
                slot = free_from[rng.choice(candidates)]
                person, slot[0] = slot[1], end
            else:
                slot = min(free_from, key=lambda s: s[0])
                person, slot[0] = slot[1], max(slot[0], end)
            key = (id(person), a.lot.pk, a.employer.pk, a.contract_type, a.starts_on)
            while key in seen:  # the same contract twice: start a day later
                a.starts_on += datetime.timedelta(days=1)
                if a.ends_on and a.ends_on < a.starts_on:
                    a.ends_on = a.starts_on
                key = (id(person), a.lot.pk, a.employer.pk, a.contract_type, a.starts_on)
            seen.add(key)
            a.participant = person
            if not hasattr(person, "_first_start") or a.starts_on < person._first_start:
                person._first_start = a.starts_on
        for p in people:
            first = getattr(p, "_first_start", None)
            p.entered_on = (first or self.today) - datetime.timedelta(days=rng.randint(20, 400))
            p._history_user = rng.choice(self.facilitators[:2])
            p._history_date = aware(p.entered_on)
            p.compute_keys()
        bulk_create_with_history(people, Participant)
        self.people = people
        self.make_criteria(people)
        for a in self.assignments:
            a._history_user = a._plan.market.facilitator
            a._history_date = aware(min(a.starts_on, self.today))
        bulk_create_with_history(self.assignments, Assignment)

    def make_criteria(self, people):
        rng = self.rng
        through = Participant.criteria.through
        rows = []
        code = {c.code: c for c in self.criteria}
        for p in people:
            codes = []
            if p._age < 26:
                codes.append("Jeune -26")
            if p._age >= 50:
                codes.append("Senior 50+")
            if p.qpv:
                codes.append("QPV")
            if p.prescriber == "PLIE" or rng.random() < 0.3:
                codes.append("PLIE")
            codes.append(self.pick([("DELD", 40), ("DETLD", 25), ("RSA", 25), ("ASS", 5), ("AAH", 5)]))
            if p.prescriber == "Département (RSA)" and "RSA" not in codes:
                codes.append("RSA")
            if p.prescriber == "Cap emploi" or rng.random() < 0.05:
                codes.append("RQTH")
            if p.prescriber == "SIAE":
                codes.append("PASS IAE")
            if rng.random() < 0.02:
                codes.append("Réfugié")
            for c in dict.fromkeys(codes):
                rows.append(through(participant_id=p.pk, criterion_id=code[c].pk))
        through.objects.bulk_create(rows)

    def make_hours(self):
        """Monthly entries: each lot's hours spread over its assignments' months, with gaps, the lot's
        declaration lag, and the last two months partly in draft."""
        rng = self.rng
        current = month_index(self.today)
        entries = []
        for plan in self.plans:
            if not plan.assignments:
                continue
            # Validated hours to date = hours owed × share of the execution elapsed × the lot's performance.
            target = float(plan.clause.hours_required) * self.elapsed(plan.lot) * float(plan.performance)
            kept = []
            for a in plan.assignments:
                first = month_index(a.starts_on)
                last = min(month_index(a.ends_on or plan.lot.ends_on), current - plan.lag)
                for m in range(first, last + 1):
                    if rng.random() < 0.03 and last - first > 2:
                        continue  # absence, sick leave: no hours that month
                    if m == current and rng.random() < 0.6:
                        continue  # this month's hours are not all in yet
                    draft = (
                        m == current
                        or (m == current - 1 and rng.random() < 0.5)
                        or (m == current - 2 and rng.random() < 0.08)
                    )
                    kept.append((a, m, draft))
            validated = sum(1 for a, _, draft in kept if not draft and a.modality != Modality.TRAINING)
            mean = min(max(target / max(validated, 1), 14.0), 151.67)
            entries += [self.entry(a, plan, m, mean, draft) for a, m, draft in kept]
        bulk_create_with_history(entries, HoursEntry, batch_size=2000)
        self.entries = entries

    def entry(self, a, plan, m, mean, draft):
        rng = self.rng
        month = from_index(m)
        training = D(0)
        if a.modality == Modality.TRAINING:
            hours, training = D(0), q2(rng.choice([35, 70, 105, 140]))
        else:
            if mean > 140 and rng.random() < 0.5:
                hours = D("151.67")
            else:
                hours = q2(round(min(max(mean * rng.uniform(0.7, 1.2), 7), 169) * 2) / 2)
            if m == month_index(a.starts_on) and rng.random() < 0.2:
                training = q2(rng.choice([7, 14, 21]))
        source = self.pick(
            [
                (HoursEntry.Source.IMPORT, 50),
                (HoursEntry.Source.MANUAL, 35),
                (HoursEntry.Source.DECLARATION, 15),
            ]
        )
        entered = min(end_of_month(month) + datetime.timedelta(days=rng.randint(3, 20)), self.today)
        entry = HoursEntry(
            assignment=a,
            month=month,
            hours=hours,
            training_hours=training,
            source=source,
            source_file=f"suivi-{plan.market.reference.split('-')[0].lower()}-{month:%Y-%m}.xlsx"
            if source == HoursEntry.Source.IMPORT
            else "",
            entered_by=plan.market.facilitator,
            status=HoursEntry.Status.DRAFT if draft else HoursEntry.Status.VALIDATED,
        )
        if not draft:
            entry.validated_by = self.validator
            validated = min(entered + datetime.timedelta(days=rng.randint(1, 25)), self.today)
            entry.validated_at = aware(validated, rng.randint(8, 18), rng.randint(0, 59))
        entry._history_user = plan.market.facilitator
        entry._history_date = aware(entered, 9)
        return entry

    def make_outcomes(self):
        rng = self.rng
        last = {}
        for a in self.assignments:
            p = a.participant
            end = a.ends_on
            if end is None:
                last[id(p)] = (p, None)
            elif id(p) not in last or (last[id(p)][1] is not None and end > last[id(p)][1]):
                last[id(p)] = (p, end)
        outcomes = []
        for p, end in last.values():
            if end is None or end >= self.today or rng.random() > 0.85:
                continue
            outcomes.append(
                Outcome(participant=p, timing=Outcome.Timing.END, date=end, kind=self.pick(OUTCOMES_AT_END))
            )
            later = end + datetime.timedelta(days=183)
            if later <= self.today and rng.random() < 0.8:
                outcomes.append(
                    Outcome(
                        participant=p,
                        timing=Outcome.Timing.SIX_MONTHS,
                        date=later,
                        kind=self.pick(OUTCOMES_AT_SIX_MONTHS),
                    )
                )
        Outcome.objects.bulk_create(outcomes)
        self.outcomes = outcomes

    def make_siae_purchases(self):
        rng = self.rng
        current = month_index(self.today)
        purchases = []
        for plan in self.plans:
            clause = plan.clause
            if not clause or not clause.siae_labour_share or plan.market.stage not in WITH_HOURS:
                continue
            structures = [a.company for a in plan.awards if a.company.kind in SIAE_PURCHASE_KINDS]
            if not structures:
                continue
            company = structures[0]
            first = max(month_index(plan.lot.starts_on), month_index(FIRST_MONTH))
            last = min(month_index(plan.lot.ends_on), current - 1)
            for m in range(first, last + 1):
                if rng.random() < 0.7:
                    continue
                amount = q2(round(rng.uniform(1500, 18000), -1))
                validated = m < current - 1 or rng.random() < 0.5
                purchases.append(
                    SiaePurchase(
                        lot=plan.lot,
                        company=company,
                        month=from_index(m),
                        amount_invoiced=amount,
                        validated=validated,
                        validated_by=self.validator if validated else None,
                        validated_at=aware(
                            min(end_of_month(from_index(m)) + datetime.timedelta(days=15), self.today)
                        )
                        if validated
                        else None,
                    )
                )
        SiaePurchase.objects.bulk_create(purchases)
        self.purchases = purchases


# --- entry points ---------------------------------------------------------------------------------------


def is_seeded():
    return Buyer.objects.exists()


def reference_data():
    """Sectors, and the criteria (made by a migration, but flushed by live-server tests)."""
    Sector.objects.bulk_create([Sector(name=name) for name in SECTORS], ignore_conflicts=True)
    Criterion.objects.bulk_create(
        [Criterion(code=code, label=label, order=i) for i, (code, label) in enumerate(CRITERIA)],
        ignore_conflicts=True,
    )
    return list(Sector.objects.filter(name__in=SECTORS).order_by("name")), list(Criterion.objects.all())


def seed(scale="demo", today=DEMO_TODAY, seed=SEED, log=None):
    """Create the demo users and the data; returns the counts. Each territory is one transaction."""
    territories = 1 if scale == "demo" else NATIONAL_TERRITORIES
    with transaction.atomic():
        users = create_demo_users()
        sectors, criteria = reference_data()
    registry = Registry()
    registry.buyer_names.update(Buyer.objects.values_list("name", flat=True))
    for index in range(territories):
        rng = random.Random(seed * 1000 + index)
        with transaction.atomic():
            territory = Territory(index, rng, today, users, registry, sectors, criteria, VOLUMES)
            territory.run(log)
        if log:
            log(f"{territory.name} : {len(territory.entries)} saisies d'heures")
    return counts()


def counts():
    return {
        "donneurs d'ordre": Buyer.objects.count(),
        "opérations": Operation.objects.count(),
        "marchés": Market.objects.count(),
        "changements d'étape": StageChange.objects.count(),
        "lots": Lot.objects.count(),
        "clauses": Clause.objects.count(),
        "attributions": Award.objects.count(),
        "entreprises": Company.objects.count(),
        "contacts": Contact.objects.count() + BuyerContact.objects.count(),
        "participants": Participant.objects.count(),
        "sorties": Outcome.objects.count(),
        "mises à l'emploi": Assignment.objects.count(),
        "heures du mois": HoursEntry.objects.count(),
        "achats SIAE": SiaePurchase.objects.count(),
    }


def clear():
    """Delete every domain record (the users stay): for --reset."""
    with transaction.atomic():
        for model in (
            SiaePurchase,
            HoursEntry,
            Assignment,
            Outcome,
            Participant,
            Award,
            Clause,
            StageChange,
            Lot,
            Market,
            Operation,
            BuyerContact,
            Buyer,
            Contact,
            Company,
        ):
            model.objects.all().delete()
        for model in (HoursEntry, Assignment, Participant, Award, Clause):
            model.history.all().delete()
