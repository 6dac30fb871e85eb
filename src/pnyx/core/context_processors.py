from django.conf import settings


def pnyx(request):
    """Values every page needs: the current convention and the languages for the switch."""
    from pnyx.programme.models import current_convention

    return {
        "current_convention": current_convention(request),
        "site_url": settings.PNYX_SITE_URL,
    }
