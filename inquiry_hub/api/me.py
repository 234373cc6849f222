"""``/me``: who the token belongs to, and the token itself."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from inquiry_hub.api.common import UtcDateTime

bp = Blueprint("me", __name__, description="The owner of the token.")


class TokenSchema(ma.Schema):
    name = ma.fields.String(required=True)
    prefix = ma.fields.String(required=True)
    read_only = ma.fields.Boolean(required=True)
    expires_at = UtcDateTime(allow_none=True, required=True)


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    locale = ma.fields.String(allow_none=True, required=True)
    token = ma.fields.Nested(TokenSchema, required=True)


@bp.route("/me", tags=[bp.name])
class Me(MethodView):
    @bp.response(200, MeSchema)
    def get(self):
        """The account the token belongs to."""
        user = g.api_user
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "locale": user.locale,
            "token": g.api_token,
        }
