"""Inquiry-scoped blueprints: ``g.inquiry`` is loaded once, through the policy.

Every room under ``/inquiries/<inquiry_id>/`` calls ``scope_blueprint(bp)``: the
inquiry is loaded for members only (404 otherwise), pending collective actions whose
delay has passed are executed (the lazy half of ``run-due``), and ``url_for`` fills
``inquiry_id`` from the current inquiry.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g
from flask_login import current_user

from inquiry_hub import policy


def _pop_inquiry_id(endpoint, values):
    if values and "inquiry_id" in values:
        g.inquiry_id = values.pop("inquiry_id")


def _expects_inquiry_id(endpoint) -> bool:
    # Asked for every url_for of a page (hundreds on the board): the answer is cached per app.
    cache = current_app.extensions.setdefault("inquiry_scoped_endpoints", {})
    if endpoint not in cache:
        cache[endpoint] = current_app.url_map.is_endpoint_expecting(endpoint, "inquiry_id")
    return cache[endpoint]


def _add_inquiry_id(endpoint, values):
    inquiry = g.get("inquiry")
    if inquiry is not None and "inquiry_id" not in values and _expects_inquiry_id(endpoint):
        values["inquiry_id"] = inquiry.id


def _load_inquiry():
    inquiry_id = g.get("inquiry_id")
    if inquiry_id is None:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    g.inquiry = policy.get_inquiry_or_404(current_user, inquiry_id)
    for hook in _on_load:
        hook(g.inquiry)  # in the request's unit of work (uow.py), committed with it
    return None


#: Called with the inquiry each time a scoped request loads it; the engine registers the lazy
#: half of ``run-due`` here (settling due proposals), so the shell imports no room.
_on_load: list = []


def on_inquiry_loaded(hook) -> None:
    """Run ``hook(inquiry)`` once per scoped request, after the inquiry is loaded."""
    if hook not in _on_load:
        _on_load.append(hook)


def scope_blueprint(bp: Blueprint) -> None:
    bp.url_value_preprocessor(_pop_inquiry_id)
    bp.url_defaults(_add_inquiry_id)
    bp.before_request(_load_inquiry)
