"""Background work of the votes app (Django's tasks framework): the encrypted tally of a
verifiable vote with many ballots, and the server mode's credentials. The tasks' arguments are
the vote's id (and who asked): nothing secret is ever queued — the private credentials of the
server mode exist only in the task's memory, until each is mailed."""

from django.tasks import task


@task
def encrypted_tally_task(vote_id: int) -> None:
    from .actions import compute_encrypted_tally

    compute_encrypted_tally(vote_id, actor="task:encrypted-tally")


@task
def server_credentials_task(vote_id: int, actor: str) -> int:
    from .actions import generate_server_credentials
    from .models import Vote

    return generate_server_credentials(Vote.objects.get(pk=vote_id), actor)
