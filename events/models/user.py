from django.contrib.auth.models import AbstractUser

EDITORS_GROUP = "Editors"
READERS_GROUP = "Readers"


class User(AbstractUser):
    """A journalist, editor or API client account. Roles are the Editors and Readers groups."""

    @property
    def is_editor(self) -> bool:
        return self.is_superuser or self.groups.filter(name=EDITORS_GROUP).exists()
