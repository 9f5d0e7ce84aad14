import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """A database of this run's own (created, then dropped), so runs never collide."""
    settings.DATABASES["default"]["TEST"] = {"NAME": f"test_tracker_{settings.TEST_RUN_ID}"}
