from django.conf import settings


def pnyx(request):
    """Values every page needs: the current convention and the languages for the switch."""
    from pnyx.programme.models import Convention

    return {
        "current_convention": Convention.objects.current(),
        "site_url": settings.PNYX_SITE_URL,
    }
