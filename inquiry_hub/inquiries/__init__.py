"""Inquiries: the inquiry home, members, phases, and the landing page."""

from flask import Blueprint

bp = Blueprint("inquiries", __name__)

from inquiry_hub.inquiries import routes  # noqa: E402,F401
