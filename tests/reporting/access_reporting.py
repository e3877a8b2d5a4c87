"""The Bilans screens in the access matrix. A bilan holds no personal data (people are counted,
never named): every role may choose, preview, list and download; generating and the grouped sending
(POST only) are for editors — their POST by a reader is tested in test_views.py. A bilan of fewer than 10
people is for editors only (403 for the reader): tests/reporting/test_sensitive_masking.py."""

import datetime

from tests.access_shapes import POST_ONLY, READ_ALL

MATRIX = {
    "reporting:bilan_form": READ_ALL,
    "reporting:bilan_generate": POST_ONLY,
    "reporting:bilan_batch": POST_ONLY,
    "reporting:bilan_archive": READ_ALL,
    "reporting:bilan_download": READ_ALL,
}


def _archived():
    from reporting.models import Bilan
    from tests.markets.factories import BuyerFactory

    buyer = BuyerFactory()
    archived = Bilan.archive(
        kind="buyer",
        obj=buyer,
        scope_name=buyer.name,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        fmt="json",
        data=b"{}\n",
        filename="bilan-test.json",
        people=12,  # 10 people or more: the read-only role may download it (test_sensitive_masking.py)
    )
    return {"pk": archived.pk}


URL_KWARGS = {"reporting:bilan_download": _archived}
