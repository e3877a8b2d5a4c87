"""Companies (companies/views.py)."""

from tests.access_shapes import EDITORS_ONLY, READ_ALL, everyone

MATRIX = {
    "companies:company_list": READ_ALL,
    "companies:company_detail": READ_ALL,
    "companies:company_create": EDITORS_ONLY,
    "companies:company_update": EDITORS_ONLY,
    "companies:company_delete": EDITORS_ONLY,
    "companies:company_archive": everyone(reader=403, facilitator=405, manager=405),
}


def _company():
    from tests.companies.factories import CompanyFactory

    return {"pk": CompanyFactory().pk}


URL_KWARGS = dict.fromkeys(
    [
        "companies:company_detail",
        "companies:company_update",
        "companies:company_delete",
        "companies:company_archive",
    ],
    _company,
)
