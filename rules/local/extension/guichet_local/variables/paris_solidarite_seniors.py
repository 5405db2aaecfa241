"""Paris Solidarité pour les seniors (PSOL), Ville de Paris.

Source: https://paris.fr/pages/minimas-sociaux-garanties-de-ressources-3846 (updated 2024-07-04):
"Paris Solidarité complète vos ressources mensuelles dans la limite d'un plafond de 1 129 €, pour
les personnes seules, et de 1 786 € pour les couples" (amounts in force on 2024-02-01), for people
aged 65 or more living in Paris. The page does not list the resources taken into account: here,
the resources of the month of both members of the couple, plus the ASPA, ASI and AAH computed by
OpenFisca-France (the page requires every legal benefit to be claimed first).
"""

import numpy as np

from openfisca_france.model.base import Famille, MONTH, Variable

SOURCE = "https://paris.fr/pages/minimas-sociaux-garanties-de-ressources-3846"
PARIS_DEPARTMENT = "75"  # INSEE codes of Paris: 75056, and 75101 to 75120 for its arrondissements

# Individual monthly resources (OpenFisca-France variables given by Guichet's situations).
INDIVIDUAL_RESOURCES = (
    "salaire_net",
    "retraite_nette",
    "chomage_net",
    "pensions_invalidite",
    "pensions_alimentaires_percues",
    "rpns_auto_entrepreneur_benefice",
    "indemnites_journalieres_maladie",
    "gains_exceptionnels",
    "asi",
    "aah",
)


class paris_solidarite_seniors_eligible(Variable):
    value_type = bool
    entity = Famille
    definition_period = MONTH
    label = "Foyer remplissant les conditions d'âge et de commune de Paris Solidarité (seniors)"
    reference = SOURCE

    def formula(famille, period, parameters):
        p = parameters(period).guichet_local.paris.solidarite_seniors
        depcom = np.asarray(famille.demandeur.menage("depcom", period)).astype(str)
        in_paris = np.char.startswith(depcom, PARIS_DEPARTMENT)
        old_enough = famille.any(famille.members("age", period) >= p.age_minimum, role=Famille.PARENT)
        return in_paris * old_enough


class paris_solidarite_seniors_ressources(Variable):
    value_type = float
    entity = Famille
    definition_period = MONTH
    unit = "currency"
    label = "Ressources mensuelles retenues pour Paris Solidarité (seniors)"
    reference = SOURCE

    def formula(famille, period):
        total = famille("aspa", period)
        for name in INDIVIDUAL_RESOURCES:
            total = total + famille.sum(famille.members(name, period), role=Famille.PARENT)
        return total


class paris_solidarite_seniors(Variable):
    value_type = float
    entity = Famille
    definition_period = MONTH
    unit = "currency"
    label = "Paris Solidarité (seniors) : complément mensuel jusqu'au plafond garanti"
    reference = SOURCE

    def formula(famille, period, parameters):
        p = parameters(period).guichet_local.paris.solidarite_seniors
        plafond = np.where(famille("en_couple", period), p.plafond_couple, p.plafond_personne_seule)
        complement = np.maximum(plafond - famille("paris_solidarite_seniors_ressources", period), 0)
        return famille("paris_solidarite_seniors_eligible", period) * np.round(complement, 2)
