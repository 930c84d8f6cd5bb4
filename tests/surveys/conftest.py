import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploaded survey files go to a throwaway media root, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
