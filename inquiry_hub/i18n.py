"""Locale choice and locale-aware formatting filters."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale
from flask_login import current_user


def select_locale() -> str:
    """``?lang=``, then the user's saved preference, then the session, then the browser."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["DEFAULT_LOCALE"]
    lang = request.args.get("lang")
    if lang in languages:
        return lang
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["DEFAULT_LOCALE"]


def current_locale() -> str:
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


def _date(value, format="medium"):
    return format_date(value, format) if value else ""


def _datetime(value, format="medium"):
    return format_datetime(value, format) if value else ""


def _time(value, format="short"):
    return format_time(value, format) if value else ""


def _number(value):
    return format_decimal(value) if value is not None else ""


def _markdown(value):
    from inquiry_hub.markdown import render

    return render(value)


FILTERS = {"date": _date, "datetime": _datetime, "time": _time, "number": _number, "markdown": _markdown}
