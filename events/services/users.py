from django.db import transaction

from events.models import User
from events.services.roles import roles_ensure


@transaction.atomic
def editor_ensure(*, username: str, password: str) -> User:
    """An active staff account in the Editors group that logs in with ``password``."""
    editors, _ = roles_ensure()
    user, _ = User.objects.get_or_create(username=username)
    user.is_staff = True
    user.is_active = True
    if not user.check_password(password):
        user.set_password(password)
    user.save()
    user.groups.add(editors)
    return user
