"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi``."""

from inquiry_hub import create_app

app = create_app()
