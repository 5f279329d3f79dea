"""What the public page shows: published projects and published notices, no personal data."""
from apps.projects.selectors import public_projects
from apps.publicity.models import Notice


def public_notices():
    return Notice.objects.filter(published=True)


__all__ = ["public_notices", "public_projects"]
