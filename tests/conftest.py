import os

import pytest
from django.conf import settings

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.browser", "tests.fixtures.worker"]

# Tests carrying these markers need a real service or ../shared. Locally they may skip when
# the service is absent; in CI (HUB_STRICT_SKIPS=1) a skip of any of them is a failure.
STRICT_MARKERS = {"postgres", "redis", "browser", "contract", "e2e"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and os.environ.get("HUB_STRICT_SKIPS")):
        return
    needs = STRICT_MARKERS & {m.name for m in item.iter_markers()}
    if needs and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped a test that needs {', '.join(sorted(needs))} while HUB_STRICT_SKIPS=1: {reason}"


@pytest.fixture
def require_postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def require_redis():
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://...")


@pytest.fixture(autouse=True)
def no_real_24so(settings):
    """Nothing in the tests may reach a real host: without the sandbox fixture, 24SO calls
    go to a closed loopback port and fail at once."""
    settings.SEVENOFFICE_API_URL = settings.SEVENOFFICE_WEBSERVICES_URL = "http://127.0.0.1:9"


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    """Stored files (expense documents) of the whole run; worker processes get the same folder."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_root(settings, media_dir):
    settings.MEDIA_ROOT = str(media_dir)
    return media_dir
