"""Vocabulary of the demo territories: the communes, neighbourhoods and buyers of Dunkerque, the other
territories of the « national » data set, streets, schools, people's names, trades and market titles, and
the weights that shape the data (stages, modalities, outcomes). Data only: the builder is demo.territory."""

from dataclasses import dataclass, field
from decimal import Decimal

from companies.models import Company
from hours.models import Modality
from markets.models import Buyer, Stage
from participants.models import Outcome

D = Decimal

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
