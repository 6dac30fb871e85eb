"""Sign-in emails leave the request: the form enqueues one task for any address, known or not,
and sends nothing itself, so that its response (and its time) is the same for both."""

import pytest
from django.core import mail
from django.tasks import task_backends

from pnyx.members.models import SignInToken
from pnyx.members.tasks import send_sign_in_link_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings):
    """A task backend that keeps what is enqueued and runs nothing (a worker would)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    return backend


def _main(response, email):
    html = response.content.decode()
    return html[html.index("<main>") : html.index("</main>")].replace(email, "X")


def test_known_and_unknown_addresses_enqueue_one_task_and_send_nothing(client, queue, make_member):
    make_member(email="lea@example.org")
    known = client.post("/connexion/", {"email": "  Lea@Example.org ", "next": "/votes/"})
    assert len(queue.results) == 1
    unknown = client.post("/connexion/", {"email": "nobody@example.org"})
    assert len(queue.results) == 2
    # Nothing was sent nor written inside either request.
    assert mail.outbox == [] and not SignInToken.objects.exists()
    assert known.status_code == unknown.status_code == 200
    assert _main(known, "lea@example.org") == _main(unknown, "nobody@example.org")
    # One task each, with the normalised address and plain (JSON) arguments.
    tasks = [(r.task.module_path, r.args) for r in queue.results]
    assert tasks == [
        ("pnyx.members.tasks.send_sign_in_link_task", ["lea@example.org", "/votes/", "fr"]),
        ("pnyx.members.tasks.send_sign_in_link_task", ["nobody@example.org", "", "fr"]),
    ]
    # The worker then sends to the member, and to nobody else.
    for r in queue.results:
        r.task.call(*r.args, **r.kwargs)
    assert [m.to for m in mail.outbox] == [["lea@example.org"]]
    assert SignInToken.objects.get().next_url == "/votes/"


def test_the_task_applies_the_per_member_limit_and_the_language(make_member, settings):
    settings.PNYX_SIGN_IN_LINKS_PER_HOUR = 2
    make_member(email="lea@example.org", language="")
    assert send_sign_in_link_task.call("lea@example.org", "", "en") is True
    assert send_sign_in_link_task.call("lea@example.org", "", "fr") is True
    assert [m.subject for m in mail.outbox] == ["Your sign-in link", "Votre lien de connexion"]
    assert send_sign_in_link_task.call("lea@example.org", "", "fr") is False  # the limit
    assert send_sign_in_link_task.call("nobody@example.org", "", "fr") is False
    assert len(mail.outbox) == 2 and SignInToken.objects.count() == 2


def test_the_task_runs_on_the_database_backend(client, make_member, settings):
    """Its arguments survive the database backend's JSON round trip; a worker sends the mail."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        pytest.skip("django_tasks_db is not installed in these settings")
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_member(email="lea@example.org")
    client.post("/connexion/", {"email": "lea@example.org"})
    assert mail.outbox == []
    row = DBTaskResult.objects.get()
    row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    assert [m.to for m in mail.outbox] == [["lea@example.org"]]
