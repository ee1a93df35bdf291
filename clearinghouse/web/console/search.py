"""The search page (``/``), a granule's page, and browse images for the console's session."""

from __future__ import annotations

from flask import current_app, render_template, request, send_file

from clearinghouse.errors import InvalidValue, NotFound
from clearinghouse.web.browse import locate
from clearinghouse.web.console import blueprint, catalog, session


def _database():
    from clearinghouse.web import database_of

    return database_of(current_app)


@blueprint.get("/")
def search():
    caller = session.caller()
    form = request.args
    results, error, field = None, None, None
    if any(form.get(name) for name in catalog.FIELDS) or form.get("search"):
        try:
            results = catalog.run(_database(), caller, form)
        except InvalidValue as refused:
            error, field = refused.message, catalog.field_of(refused)
    following = None
    if results and results.after:
        following = request.args.copy()
        following["after"] = results.after
    narrowed = {}  # each collection found: this search, within that collection
    for found in results.collections if results else ():
        narrowed[found["id"]] = [
            (k, v) for k, v in request.args.items(multi=True) if k not in ("after", "dataset_id")
        ] + [("dataset_id", found["dataset"])]
    settings = current_app.config["SETTINGS"]
    return render_template(
        "search.html",
        caller=caller,
        form=form,
        results=results,
        error=error,
        error_field=field,
        following=following,
        narrowed=narrowed,
        tiles=settings.console_tiles,
    )


@blueprint.get("/granules/<concept_id>")
def granule(concept_id: str):
    caller = session.caller()
    try:
        found = catalog.granule(_database(), caller, concept_id)
    except InvalidValue:
        found = None
    if found is None:
        raise NotFound(f"no granule {concept_id} that you may see")
    return render_template(
        "granule.html",
        caller=caller,
        granule=found,
        tiles=current_app.config["SETTINGS"].console_tiles,
    )


@blueprint.get("/console/browse/<provider_id>/<name>")
def browse(provider_id: str, name: str):
    settings = current_app.config["SETTINGS"]
    session.caller()  # drops a token that stands for no live session
    path, media = locate(_database(), settings, session.token(), provider_id, name)
    response = send_file(path, mimetype=media, max_age=3600, conditional=True)
    response.cache_control.private = True
    return response
