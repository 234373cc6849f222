"""inquiry_hub: collective inquiries of ESS students, their tutors and partner organisations."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from inquiry_hub import config as settings
from inquiry_hub.extensions import babel, csrf, db, limiter, login_manager, migrate
from inquiry_hub.urls import IdConverter

ROOT = Path(__file__).resolve().parent.parent


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(settings.FIXED)
    app.config.update(settings.from_environment(app.instance_path))
    app.config.update(config or {})
    app.config["SECRET_KEY"] = settings.load_secret_key(app.config, app.instance_path)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.session_interface = _SessionInterface()
    # Before any blueprint: ``<id:...>`` in a path is an object id the database can hold.
    app.url_map.converters["id"] = IdConverter
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    register_extensions(app)
    register_blueprints(app)
    from inquiry_hub import uow

    uow.register(app)  # before the other hooks: its after_request runs last
    register_request_hooks(app)
    register_template_helpers(app)

    from inquiry_hub import cli, errors, profiling

    errors.register(app)
    cli.register(app)
    profiling.register(app)
    return app


def register_extensions(app: Flask) -> None:
    from inquiry_hub import i18n

    db.init_app(app)
    from inquiry_hub.db import include_name

    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, include_name=include_name
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = None  # our session version does the job

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")

    from inquiry_hub.accounts.models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        ident, _, version = user_id.partition(":")
        if not ident.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.session_version != int(version):
            return None
        return user


def register_blueprints(app: Flask) -> None:
    from inquiry_hub.accounts import bp as accounts_bp
    from inquiry_hub.activity import bp as activity_bp
    from inquiry_hub.activity.routes import inquiry_bp as activity_log_bp
    from inquiry_hub.admin import bp as admin_bp
    from inquiry_hub.deliverables import bp as deliverables_bp
    from inquiry_hub.fieldwork import bp as fieldwork_bp
    from inquiry_hub.followup import bp as followup_bp
    from inquiry_hub.governance import bp as governance_bp
    from inquiry_hub.governance import commission_bp, logbook_bp, meetings_bp
    from inquiry_hub.inquiries import bp as inquiries_bp
    from inquiry_hub.main import bp as main_bp
    from inquiry_hub.privacy import bp as privacy_bp
    from inquiry_hub.tasks import bp as tasks_bp
    from inquiry_hub.tasks.feed_routes import feed_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(inquiries_bp)
    app.register_blueprint(governance_bp, url_prefix="/inquiries/<id:inquiry_id>/decisions")
    app.register_blueprint(meetings_bp, url_prefix="/inquiries/<id:inquiry_id>/meetings")
    app.register_blueprint(logbook_bp, url_prefix="/inquiries/<id:inquiry_id>/logbook")
    app.register_blueprint(commission_bp, url_prefix="/inquiries/<id:inquiry_id>/commission")
    app.register_blueprint(tasks_bp, url_prefix="/inquiries/<id:inquiry_id>/tasks")
    app.register_blueprint(fieldwork_bp, url_prefix="/inquiries/<id:inquiry_id>/fieldwork")
    app.register_blueprint(deliverables_bp, url_prefix="/inquiries/<id:inquiry_id>/deliverables")
    app.register_blueprint(feed_bp)
    app.register_blueprint(activity_bp)
    app.register_blueprint(activity_log_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(privacy_bp)

    from inquiry_hub import api

    api.register(app)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def remember_language():
        lang = request.args.get("lang")
        if lang in app.config["LANGUAGES"]:
            session["lang"] = lang

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        # A sandboxed preview (deliverables.inline) may be framed by our own pages.
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.teardown_appcontext
    def forget_inquiry(exc):
        g.pop("inquiry", None)


def register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from inquiry_hub import i18n, policy
    from inquiry_hub.activity import services as activity
    from inquiry_hub.inquiries import services as inquiries
    from inquiry_hub.inquiries.engine import title_of

    app.jinja_env.globals.update(
        proposal_title=title_of,
        can=lambda action, obj=None: policy.can(current_user, action, obj),
        role_label=inquiries.role_label,
        rule_label=inquiries.rule_label,
        phase_label=inquiries.phase_label,
        describe_verb=activity.describe_verb,
        describe_notification=activity.describe_notification,
        current_locale=i18n.current_locale,
    )
    app.jinja_env.filters.update(i18n.FILTERS)

    @app.context_processor
    def navigation():
        if not has_request_context() or not current_user.is_authenticated:  # emails render outside
            return {}
        from inquiry_hub.inquiries.models import Inquiry

        ids = policy.inquiry_ids_of(current_user)
        mine = (
            db.session.scalars(db.select(Inquiry).where(Inquiry.id.in_(ids)).order_by(Inquiry.title)).all()
            if ids
            else []
        )
        return {"nav_inquiries": mine, "unread_notifications": activity.unread_count(current_user)}
