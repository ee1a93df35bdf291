"""Logging in and out of the console, through the message API's own session functions."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from clearinghouse.errors import ClearinghouseError
from clearinghouse.web.console import backend, blueprint, session


def _local(target: str | None) -> str:
    """Only a path of this site to go on to (never another site: an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("console.search")
    return target


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    error = None
    form = request.form
    if request.method == "POST":
        ctx = session.context()
        try:
            token = backend.login(ctx, form.get("username", ""), form.get("password", ""))
            session.signed_in(token)
            if form.get("provider"):
                backend.act_for(session.context(), form["provider"].strip())
            return redirect(_local(form.get("next")), 303)
        except ClearinghouseError as refused:
            if session.token() and session.token() != ctx.token:
                backend.logout(session.context())  # a half-made login does not stay open
                session.signed_in(None)
            error = refused.message
    status = 401 if error else 200
    return render_template(
        "login.html",
        caller=session.caller(),
        error=error,
        form=form,
        next=_local(request.values.get("next")),
    ), status


@blueprint.post("/logout")
def logout():
    if session.caller().registered:
        backend.logout(session.context())
    session.signed_in(None)
    return redirect(url_for("console.search"), 303)
