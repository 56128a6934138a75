"""The user admin (roles and districts) is infrastructure: registered here."""

from . import admin_users  # noqa: F401
