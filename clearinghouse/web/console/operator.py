"""Operators' pages: partners and their ingest, users, the broker's dispatch queue, health."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for

from clearinghouse.web.console import backend, blueprint, queries, session


def _database():
    from clearinghouse.web import database_of

    return database_of(current_app)


@blueprint.get("/operator")
def operator():
    caller = session.require_admin()
    ctx = session.context()
    database = _database()
    states = queries.ingest_states(database)
    return render_template(
        "operator.html",
        caller=caller,
        providers=backend.providers(ctx),
        states=states,
        users=backend.users(ctx),
        locks=queries.locks(database),
        queue=queries.dispatch_queue(database),
        health=queries.health(database, current_app.config["SETTINGS"]),
    )


@blueprint.post("/operator/providers/<provider_id>/ingest")
def set_ingest(provider_id: str):
    session.require_admin()
    paused = request.form.get("paused") == "true"
    backend.set_ingest_paused(session.context(), provider_id, paused)
    return redirect(url_for("console.operator") + "#partners", 303)


@blueprint.post("/operator/users/<username>")
def update_user(username: str):
    session.require_admin()
    roles = None
    if "roles" in request.form:
        roles = [r.strip() for r in request.form["roles"].split(",") if r.strip()]
    backend.update_user(session.context(), username, unlock="unlock" in request.form, roles=roles)
    return redirect(url_for("console.operator") + "#users", 303)
