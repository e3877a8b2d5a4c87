"""What a bilan may show of its figures: the two masking rules, applied to `indicators.Figures`.

    figures.protected()   # sensitive cells of 0 to 4 people → "< 5" (every bilan output, always)
    figures.masked()      # the same, and in a scope of fewer than 10 people every other breakdown
                          # cell of 1 or 2 people → "< 3" (the PDF, the preview, --anonymise-small)

1. Sensitive figures (`SENSITIVE_CRITERIA`, `SENSITIVE_OUTCOMES`), whatever the scope's size: a count of
   0 to 4 people reads "< 5". They are the criteria and outcomes that reveal health or another special
   category of personal data (GDPR art. 9):
   - RQTH: a recognised disability;
   - AAH: the disabled adults' allowance (the criterion also covers other minimum incomes, but it is
     where the allowance is recorded);
   - Réfugié: refugee or international protection status, granted for persecution on grounds of
     origin, religion or political opinion;
   - the outcome « Santé » (left for health reasons).
   Zero is masked too: a count that moves from a shown 0 to "< 5" between two previews would tell who
   arrived. Masked values are strings in place of the number, as the "< 3" of the small-scope rule.
2. Recovery by difference. Criteria need no complementary masking: a person counts once under each
   criterion they meet and may meet none, so the criteria have no total and no relation between them
   or with any other figure. Outcomes do: the people with an outcome at a moment is, in practice, the
   sum of the outcome cells, so the « Santé » cell would be that total minus the others. The smallest
   other cell that is neither positive nor sensitive is masked with it ("< 5" when it is under 5,
   "≥ 5" otherwise): the difference only gives the sum of the two. The positive outcomes and their
   total stay exact.
3. Small scopes (fewer than SMALL_SCOPE people): every other breakdown cell of 1 or 2 people or
   contracts reads "< 3"; hours and the scope's totals stay exact.
"""

from dataclasses import replace

from participants.models import Outcome

#: Breakdown cells of 1 or 2 people in a scope of fewer than SMALL_SCOPE people are shown as SMALL.
SMALL = "< 3"
SMALL_SCOPE = 10

#: Sensitive cells (health, art. 9) under SENSITIVE_THRESHOLD, 0 included, are shown as SENSITIVE.
SENSITIVE = "< 5"
SENSITIVE_AT_LEAST = "≥ 5"  # a complementary cell of 5 or more, masked so that « Santé » is not recovered
SENSITIVE_THRESHOLD = 5
SENSITIVE_CRITERIA = ("RQTH", "AAH", "Réfugié")
SENSITIVE_OUTCOMES = (Outcome.Kind.HEALTH.label,)

# Outcome labels a complementary cell is taken from: neither positive nor sensitive, "Inconnue" first
# on equal counts (the least informative).
_POSITIVE = {k.label for k in Outcome.Kind.positive()}
_COMPLEMENT_CANDIDATES = [
    k.label for k in reversed(Outcome.Kind) if k.label not in _POSITIVE and k.label not in SENSITIVE_OUTCOMES
]

PEOPLE_DICTS = (
    "by_sex",
    "by_age_band",
    "by_level",
    "by_criterion",
    "by_contract_type",
    "prescribers",
    "by_commune",
    "outcomes_at_end",
    "outcomes_at_six_months",
)
PEOPLE_CELLS = (
    "qpv",
    "people_with_outcome_at_end",
    "positive_at_end",
    "people_with_outcome_at_six_months",
    "positive_at_six_months",
)


def sensitive_cell(n):
    """A sensitive count as printed: "< 5" from 0 to 4, else the number (a string stays as is)."""
    if isinstance(n, str):
        return n
    return SENSITIVE if n < SENSITIVE_THRESHOLD else n


def _outcomes(mapping):
    """Outcome cells with « Santé » masked and, with it, its complementary cell."""
    result = dict(mapping)
    masked_any = False
    for label in SENSITIVE_OUTCOMES:
        if label in result:
            result[label] = sensitive_cell(result[label])
            masked_any = True
    if masked_any:
        candidates = [label for label in _COMPLEMENT_CANDIDATES if label in result]
        if candidates:
            other = min(candidates, key=lambda label: result[label])  # first smallest: "Inconnue" on ties
            n = result[other]
            result[other] = SENSITIVE if n < SENSITIVE_THRESHOLD else SENSITIVE_AT_LEAST
    return result


def protected(figures):
    """The figures with the sensitive rule applied (every bilan output applies it)."""
    if figures.protected_cells:
        return figures
    criteria = {
        code: sensitive_cell(n) if code in SENSITIVE_CRITERIA else n
        for code, n in figures.by_criterion.items()
    }
    result = replace(
        figures,
        by_criterion=criteria,
        outcomes_at_end=_outcomes(figures.outcomes_at_end),
        outcomes_at_six_months=_outcomes(figures.outcomes_at_six_months),
        protected_cells=True,
    )
    return result


def masked(figures):
    """The sensitive rule, then, in a scope of fewer than 10 people, every other breakdown cell of 1 or
    2 people (or contracts) reads "< 3". Hours and the scope's totals are left exact."""
    f = protected(figures)
    if not f.is_small:
        return replace(f, anonymised=True)

    def cell(n):
        return SMALL if not isinstance(n, str) and n in (1, 2) else n

    def cells(mapping):
        return {key: cell(n) for key, n in mapping.items()}

    changes = {name: cells(getattr(f, name)) for name in PEOPLE_DICTS}
    changes.update({name: cell(getattr(f, name)) for name in PEOPLE_CELLS})
    changes["lots"] = tuple(replace(line, people=cell(line.people)) for line in f.lots)
    changes["companies"] = tuple(replace(line, people=cell(line.people)) for line in f.companies)
    return replace(f, anonymised=True, **changes)
