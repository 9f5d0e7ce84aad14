"""Accounts. Roles are the Editors and Readers groups (see events.services.roles)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from events.admin.base import TrackerAdmin
from events.models import User


@admin.register(User)
class UserAdmin(TrackerAdmin, BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    date_hierarchy = "date_joined"
