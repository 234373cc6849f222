"""Full-text search over an inquiry's notes, through the search interface of the fieldwork room."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from inquiry_hub import search as search_interface
from inquiry_hub.api.common import ID_PATH, Text, load_inquiry, require
from inquiry_hub.fieldwork import services as fieldwork

bp = Blueprint("search", __name__, description="Search field material (never for partners).")


class SearchQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    q = Text(required=True, validate=ma.validate.Length(1, 200), metadata={"description": "Words to find."})


class HitSchema(ma.Schema):
    note_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    interview_id = ma.fields.Integer(allow_none=True, required=True)
    snippet_html = ma.fields.String(
        required=True, metadata={"description": "Escaped HTML around the matches, each in <mark>."}
    )
    rank = ma.fields.Float(required=True)


@bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>/search", tags=[bp.name])
class Search(MethodView):
    @bp.arguments(SearchQuery, location="query")
    @bp.response(200, HitSchema(many=True))
    def get(self, args, inquiry_id):
        """Notes matching every word of `q` (accents and case ignored), best first, 50 at most."""
        inquiry = load_inquiry(inquiry_id)
        require("fieldwork.search", inquiry)
        hits = fieldwork.search_notes(inquiry, args["q"], search_interface.Filters())
        return [
            {
                "note_id": note.id,
                "title": note.title,
                "interview_id": note.interview_id,
                "snippet_html": str(hit.snippet),
                "rank": hit.rank,
            }
            for note, hit in hits
        ]
