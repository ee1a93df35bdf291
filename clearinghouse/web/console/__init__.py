"""The web console at ``/``: search on a map and order, partners' ingest and orders, operators'
view. Pages rendered by Jinja2 on top of the catalog's search, the message API's sessions and
services (through ``backend``) and read-only queries; a little plain JavaScript on top."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, url_for

from clearinghouse import incidents
from clearinghouse.accounts.sessions import GUEST
from clearinghouse.errors import ClearinghouseError
from clearinghouse.web.console import session


class _Console(Blueprint):
    def get_send_file_max_age(self, filename: str | None) -> int:
        # Kept ten minutes without asking again: a page view then costs one request, not six.
        return 600


blueprint = _Console(
    "console",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/console/static",
)


@blueprint.before_request
def _guard() -> None:
    session.check_csrf()


@blueprint.after_request
def _cookies(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return session.set_cookies(response)


#: No inline script, no other origin's script; images may come from partners' browse URLs and
#: the optional tile server.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: "
    "data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@blueprint.app_context_processor
def _globals() -> dict:
    return {"csrf_token": session.csrf_token, "csrf_field": session.CSRF_FIELD}


@blueprint.app_template_filter("when")
def _when(moment) -> str:
    """A stored time as pages show it: UTC, to the second."""
    if moment is None:
        return "–"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@blueprint.errorhandler(ClearinghouseError)
def _refused(error: ClearinghouseError):
    if error.status == 401:
        # Back to the page after logging in; a form's target is no page to go back to.
        back = request.full_path.rstrip("?") if request.method == "GET" else "/"
        return redirect(url_for("console.login", next=back), 303)
    return error_page(incidents.served(error))


def owns_request() -> bool:
    """Whether the console answers this request's errors: one of its routes, or a path under no
    other door's first segment asked for by a browser (the console is at ``/``, so a person's
    mistyped page is the console's; a program asking for no HTML keeps the XML error)."""
    if request.blueprint is not None:
        return request.blueprint == blueprint.name
    if request.accept_mimetypes.best_match(("application/xml", "text/html")) != "text/html":
        return False
    first = request.path.split("/", 2)[1]
    doors = {
        rule.rule.split("/", 2)[1]
        for rule in current_app.url_map.iter_rules()
        if not rule.endpoint.startswith(blueprint.name + ".")
    }
    return first not in doors


def error_page(shown: ClearinghouseError):
    """An HTML page for an error already ``incidents.served`` (a 500's message names its
    request id); the headers the console's pages carry, also for a path no route matched."""
    # The caller as far as it was resolved: asking the database again may be what just failed.
    caller = g.get("console_caller", GUEST)
    page = render_template(
        "error.html", error=shown, caller=caller, request_id=incidents.request_id()
    )
    response = current_app.make_response((page, shown.status))
    response.headers.update(HEADERS)
    return response


def register(app: Flask) -> None:
    from clearinghouse.web.console import account, operator, orders, partner, search  # noqa: F401

    app.register_blueprint(blueprint)
