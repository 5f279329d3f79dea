from django.db.models import F

from apps.accounts.models import User


def user_logout_everywhere(user: User) -> None:
    """Every session of the account started before now ends at its next request."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
