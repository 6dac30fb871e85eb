import os

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PNYX_SITE_URL = "http://testserver"


@pytest.fixture(scope="session", autouse=True)
def _journal_lets_the_test_flush_through():
    """After each transactional test pytest-django empties every table (TRUNCATE on PostgreSQL,
    DELETE on SQLite), which the journal's append-only triggers refuse. Only that flush, run by
    this harness, says so to the triggers (see journal migration 0003); UPDATE stays refused."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        connection = self.connection
        if connection.vendor == "postgresql":
            sql_list = ["SELECT set_config('pnyx.journal_flush', 'on', true)", *sql_list]
        connection.pnyx_journal_flush = True
        try:
            original(self, sql_list)
        finally:
            connection.pnyx_journal_flush = False

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run at once in the test's process (the default settings queue them for a worker);
    tests/workshops/test_workshops_documents.py runs one through the database and a worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _clear_process_caches():
    """Each test starts with empty per-process caches (a rolled-back test leaves no signal)."""
    from pnyx.core.cache import clear_process_caches

    clear_process_caches()
    yield
    clear_process_caches()


@pytest.fixture
def convention(db):
    from pnyx.programme import demo

    return demo.load()


@pytest.fixture
def make_member(db):
    from pnyx.members.models import Member

    counter = {"n": 0}

    def make(**kwargs):
        counter["n"] += 1
        n = counter["n"]
        defaults = dict(
            external_id=f"T{n:05d}",
            first_name=f"Prénom{n}",
            last_name=f"Nom{n}",
            email=f"membre{n}@example.org",
            gender="F",
            region="Bretagne",
            birth_year=1980,
            joined_on="2017-01-01",
            volunteer=True,
        )
        defaults.update(kwargs)
        return Member.objects.create(**defaults)

    return make


@pytest.fixture
def member_client(client, make_member):
    """A client signed in as a fresh member; the member is `client.member`."""
    from pnyx.members.actions import user_for_member

    member = make_member()
    client.force_login(user_for_member(member))
    client.member = member
    return client


@pytest.fixture
def organizer(db, django_user_model):
    return django_user_model.objects.create_superuser(
        "orga", "orga@example.org", "orga-password-123"
    )


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


def pytest_collection_modifyitems(config, items):
    """Without Chromium, end-to-end tests are skipped, unless CI demands them."""
    if os.path.exists("/usr/bin/chromium") or os.environ.get("PNYX_REQUIRE_E2E"):
        return
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (/usr/bin/chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
