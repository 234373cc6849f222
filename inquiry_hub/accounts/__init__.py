"""Accounts: users, login, invitations, password reset, the account page."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from inquiry_hub.accounts import routes  # noqa: E402,F401
