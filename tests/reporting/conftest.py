import pytest

from tests.reporting import dataset


@pytest.fixture
def bilan_data(db):
    """The hand-built data set of tests/reporting/dataset.py."""
    return dataset.build()
