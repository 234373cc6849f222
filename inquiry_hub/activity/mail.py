"""Mail transports for the outbox: console in development, SMTP when MAIL_SERVER is set."""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app


def build_message(message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_addr
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@inquiry-hub>"
    email.set_content(message.body)
    return email


def console_sender(message) -> None:
    print(
        f"--- email to {message.to_addr}: {message.subject}\n{message.body}\n---",
        file=sys.stderr,
    )


def smtp_sender(message) -> None:
    config = current_app.config
    email = build_message(message, config["MAIL_DEFAULT_SENDER"])
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def configured_sender():
    return smtp_sender if current_app.config["MAIL_SERVER"] else console_sender
