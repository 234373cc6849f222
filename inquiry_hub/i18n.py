"""Locale choice and locale-aware formatting filters."""

from __future__ import annotations

from datetime import datetime

from babel import dates
from flask import current_app, g, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    to_user_timezone,
)
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
    if not value:
        return ""
    if not has_request_context():
        return format_date(value, format)
    if isinstance(value, datetime) or format not in _NAMED:
        return format_date(value, format)
    # Boards and lists format hundreds of dates: the locale's pattern is parsed once per request
    # (Babel parses it on every call), and each distinct date is formatted once.
    locale = get_locale()
    patterns = g.setdefault("date_patterns", {})
    key = (format, str(locale))
    if key not in patterns:
        patterns[key] = (dates.parse_pattern(dates.get_date_format(format, locale=locale)), {})
    pattern, done = patterns[key]
    if value not in done:
        done[value] = pattern.apply(value, locale)
    return done[value]


_NAMED = frozenset(("full", "long", "medium", "short"))


def _datetime(value, format="medium"):
    if not value:
        return ""
    if not has_request_context() or format not in _NAMED:
        return format_datetime(value, format)
    # As Babel's format_datetime, with the three patterns parsed once per request.
    locale = get_locale()
    patterns = g.setdefault("datetime_patterns", {})
    key = (format, str(locale))
    if key not in patterns:
        patterns[key] = (
            dates.get_datetime_format(format, locale=locale).replace("'", ""),
            dates.parse_pattern(dates.get_date_format(format, locale=locale)),
            dates.parse_pattern(dates.get_time_format(format, locale=locale)),
        )
    whole, date_pattern, time_pattern = patterns[key]
    local = to_user_timezone(value)
    return whole.replace("{0}", time_pattern.apply(local, locale)).replace(
        "{1}", date_pattern.apply(local, locale)
    )


def _time(value, format="short"):
    return format_time(value, format) if value else ""


def _number(value):
    return format_decimal(value) if value is not None else ""


def _markdown(value):
    from inquiry_hub.markdown import render

    return render(value)


FILTERS = {"date": _date, "datetime": _datetime, "time": _time, "number": _number, "markdown": _markdown}
