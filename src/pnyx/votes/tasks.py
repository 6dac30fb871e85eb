"""Background work of the votes app (Django's tasks framework): the encrypted tally of a
verifiable vote with many ballots. The task's argument is the vote's id: nothing secret is
ever queued (the private credentials of the server mode never leave the request's memory)."""

from django.tasks import task


@task
def encrypted_tally_task(vote_id: int) -> None:
    from .actions import compute_encrypted_tally

    compute_encrypted_tally(vote_id, actor="task:encrypted-tally")
