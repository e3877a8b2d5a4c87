import pytest

from tests.reporting import dataset


@pytest.fixture
def bilan_data(db):
    """The hand-built data set of tests/reporting/dataset.py."""
    return dataset.build()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Archived bilans are written under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
