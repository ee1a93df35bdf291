"""A partner's pages: its drop box, ingest reports, collections, option definitions and provider
orders. Every query is bounded to the one provider the session acts for."""

from __future__ import annotations

from flask import current_app, render_template

from clearinghouse.errors import NotFound
from clearinghouse.web.console import backend, blueprint, options_form, queries, session


def _database():
    from clearinghouse.web import database_of

    return database_of(current_app)


@blueprint.get("/partner")
def partner():
    caller = session.require_provider()
    provider_id = caller.provider_id
    ctx = session.context()
    definitions = options_form.read(backend.provider_definitions(ctx))
    return render_template(
        "partner.html",
        caller=caller,
        provider=provider_id,
        files=queries.drop_box(current_app.config["SETTINGS"], provider_id),
        jobs=queries.jobs(_database(), provider_id),
        collections=queries.collections(_database(), provider_id),
        definitions=definitions,
        provider_orders=backend.provider_orders(ctx),
    )


@blueprint.get("/partner/reports/<int:report_id>")
def report(report_id: int):
    caller = session.require_provider()
    found = queries.report(_database(), caller.provider_id, report_id)
    if found is None:  # another partner's is refused exactly as a missing one
        raise NotFound(f"no report {report_id} of provider {caller.provider_id}")
    return render_template("report.html", caller=caller, report=found)
