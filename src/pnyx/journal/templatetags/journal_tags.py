from django import template

from pnyx.journal.actions import head

register = template.Library()


@register.inclusion_tag("journal/_head.html")
def journal_head():
    """The journal's head, shown on every results and draw page: `{% journal_head %}`."""
    return {"head": head()}
