"""Routes of the governance room, one module per blueprint."""

from inquiry_hub.governance.routes import commission, decisions, logbook, meetings  # noqa: F401
