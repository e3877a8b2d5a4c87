"""Vocabulary shared across apps that may not import each other (design.md, direction of imports)."""

# Eligibility criteria (code, label); the codes are the spellings of the tracking sheet's "Publics".
CRITERIA = [
    ("DELD", "Demandeur d'emploi de longue durée (12 mois et plus)"),
    ("DETLD", "Demandeur d'emploi de très longue durée (24 mois et plus)"),
    ("RSA", "Bénéficiaire du RSA"),
    ("ASS", "Bénéficiaire de l'ASS"),
    ("AAH", "Bénéficiaire de l'AAH ou d'un autre minimum social"),
    ("RQTH", "Travailleur handicapé reconnu (RQTH)"),
    ("Jeune -26", "Jeune de moins de 26 ans peu qualifié ou suivi par la Mission locale"),
    ("Senior 50+", "Senior de 50 ans et plus"),
    ("PASS IAE", "Titulaire d'un PASS IAE / salarié d'une SIAE"),
    ("PLIE", "Participant du PLIE"),
    ("QPV", "Habitant d'un quartier prioritaire (QPV)"),
    ("ZRR", "Habitant d'une zone de revitalisation rurale (ZRR)"),
    ("Réfugié", "Réfugié ou bénéficiaire de la protection internationale"),
    ("Autre", "Autre cas validé par la facilitatrice sur avis motivé d'un prescripteur"),
]
CRITERIA_CODES = [code for code, _ in CRITERIA]
