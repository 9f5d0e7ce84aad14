"""Who is signed in for the page tests: an editor (Editors group member)."""

import pytest
from django.contrib.auth.models import Group

from events.models import EDITORS_GROUP
from tests.factories import UserFactory


@pytest.fixture
def editor(db):
    user = UserFactory(username="editor")
    user.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
