"""Admin pages: inquiries with counts, cohorts, organisations, a new inquiry."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from inquiry_hub import policy
from inquiry_hub.accounts import services as accounts
from inquiry_hub.admin import bp
from inquiry_hub.admin.forms import (
    LEGAL_FORM_LABELS,
    CohortForm,
    InquiryCreateForm,
    OrganisationForm,
    parse_emails,
)
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import services as inquiries
from inquiry_hub.inquiries.models import Cohort, Inquiry, Organisation


@bp.before_request
@login_required
def only_admins():
    policy.require(current_user, "admin.access")


@bp.get("/")
def index():
    """Every inquiry with its member counts: no content."""
    rows = db.session.scalars(
        select(Inquiry)
        .options(db.joinedload(Inquiry.organisation), db.joinedload(Inquiry.cohort))
        .order_by(Inquiry.created_at.desc())
    ).all()
    return render_template(
        "admin/index.html",
        inquiries=rows,
        counts=inquiries.member_counts([i.id for i in rows]),
        role_order=[str(r) for r in policy.Role],
        pending=accounts.pending_invitation_counts([i.id for i in rows]),
    )


@bp.route("/cohorts", methods=["GET", "POST"])
def cohorts():
    """List and create cohorts (school years)."""
    form = CohortForm()
    if form.validate_on_submit():
        if db.session.scalar(select(Cohort).where(Cohort.name == form.name.data.strip())):
            form.name.errors.append(_("A cohort already has this name."))
        else:
            db.session.add(
                Cohort(name=form.name.data.strip(), starts_on=form.starts_on.data, ends_on=form.ends_on.data)
            )
            flash(_("Cohort created."), "success")
            return redirect(url_for("admin.cohorts"))
    rows = db.session.scalars(select(Cohort).order_by(Cohort.starts_on.desc())).all()
    return render_template("admin/cohorts.html", form=form, cohorts=rows)


@bp.route("/organisations", methods=["GET", "POST"])
def organisations():
    """List and create partner organisations."""
    form = OrganisationForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower())):
            form.name.errors.append(_("An organisation already has this name."))
        else:
            db.session.add(
                Organisation(
                    name=name,
                    legal_form=form.legal_form.data,
                    sector=(form.sector.data or "").strip(),
                    city=(form.city.data or "").strip(),
                )
            )
            flash(_("Organisation created."), "success")
            return redirect(url_for("admin.organisations"))
    rows = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template(
        "admin/organisations.html", form=form, organisations=rows, legal_forms=LEGAL_FORM_LABELS
    )


@bp.route("/inquiries/new", methods=["GET", "POST"])
def new_inquiry():
    """Create an inquiry and email its first members an invitation link each."""
    form = InquiryCreateForm()
    form.organisation_id.choices = [
        (o.id, o.name) for o in db.session.scalars(select(Organisation).order_by(Organisation.name))
    ]
    form.cohort_id.choices = [
        (c.id, c.name) for c in db.session.scalars(select(Cohort).order_by(Cohort.starts_on.desc()))
    ]
    if not form.organisation_id.choices or not form.cohort_id.choices:
        flash(_("Create a cohort and a partner organisation first."), "info")
    if form.validate_on_submit():
        inquiry = inquiries.create_inquiry(
            title=form.title.data,
            question=form.question.data,
            organisation=db.session.get(Organisation, form.organisation_id.data),
            cohort=db.session.get(Cohort, form.cohort_id.data),
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            actor=current_user,
        )
        roles = (
            (form.students, policy.Role.STUDENT),
            (form.tutors, policy.Role.TUTOR),
            (form.partners, policy.Role.PARTNER),
        )
        invited = set()
        for field, role in roles:
            # Everyone gets a link, account or not; an address listed twice is invited once.
            for email in dict.fromkeys(parse_emails(field.data)):
                if email not in invited:
                    invited.add(email)
                    inquiries.invite(inquiry, email, role, actor=current_user)
        flash(_("Inquiry created; invitations are on their way."), "success")
        return redirect(url_for("admin.index"))
    return render_template("admin/new_inquiry.html", form=form)
