from django.shortcuts import render
from django.views.decorators.http import require_safe

from .actions import head


@require_safe
def index(request):
    """The journal's public page: its head (count and hash) and how to check it."""
    return render(request, "journal/index.html", {"head": head()})
