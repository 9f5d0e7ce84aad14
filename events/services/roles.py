"""The two roles: Readers see published material and article text; Editors also write."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from events.models import EDITORS_GROUP, READERS_GROUP

# Editors change everything in the app; deleting is limited to what can be undone by policy
# (a published update cannot be deleted at all: the database refuses it).
EDITOR_ACTIONS = ("add", "change", "delete", "view")


@transaction.atomic
def roles_ensure() -> tuple[Group, Group]:
    """Create the Editors and Readers groups with their permissions; safe to call repeatedly."""
    app_permissions = Permission.objects.filter(content_type__app_label="events")
    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    editors.permissions.set(
        [
            p
            for p in app_permissions
            if p.codename.split("_", 1)[0] in EDITOR_ACTIONS and not p.codename.endswith("_user")
        ]
    )
    readers, _ = Group.objects.get_or_create(name=READERS_GROUP)
    readers.permissions.set(
        [
            p
            for p in app_permissions
            if p.codename.startswith("view_") and not p.codename.endswith("_user")
        ]
    )
    return editors, readers
