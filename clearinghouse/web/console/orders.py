"""Ordering: granules into an order, the partners' options as forms, addresses, quote, submit,
cancel, and the order's provider orders with their status history."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from broker.option_selections import InvalidOptionSelection
from clearinghouse.errors import ClearinghouseError, Conflict, NotFound
from clearinghouse.web.console import backend, blueprint, options_form, session

STEPS = {"validate": "Validate", "quote": "Quote", "submit": "Submit", "cancel": "Cancel"}


@blueprint.get("/orders")
def orders():
    caller = session.require_user()
    return render_template("orders.html", caller=caller, orders=backend.orders(session.context()))


def _forms(ctx, item_ids: list[str]) -> dict[str, list[options_form.Option]]:
    definitions = backend.option_definitions(ctx, item_ids)
    return {i: options_form.read(definitions.get(i, [])) for i in item_ids}


def _chosen() -> list[str]:
    return list(dict.fromkeys(i.strip() for i in request.values.getlist("item") if i.strip()))


@blueprint.get("/orders/new")
def new_order():
    """The chosen granules' options, to fill before the order is made (the broker refuses an
    item without the options its partner requires)."""
    caller = session.require_user()
    forms = _forms(session.context(), _chosen())
    return render_template(
        "new_order.html",
        caller=caller,
        forms=forms,
        problems={},
        values={},
        order=request.args.get("order"),
        error=None,
    )


@blueprint.post("/orders")
def add_to_order():
    caller = session.require_user()
    ctx = session.context()
    forms = _forms(ctx, _chosen())
    items = {
        i: (options_form.selection(o, request.form, i) if o else None) for i, o in forms.items()
    }
    guid = request.form.get("order", "").strip()
    try:
        if guid:
            backend.add_items(ctx, guid, items)
        else:
            guid = backend.create_order(ctx, items)
    except ClearinghouseError as refused:
        if refused.status >= 500:
            raise
        problems = {}
        if isinstance(refused, InvalidOptionSelection):
            problems = options_form.problems_by_item(refused, forms)
        page = render_template(
            "new_order.html",
            caller=caller,
            forms=forms,
            problems=problems,
            values=request.form,
            order=guid or None,
            error=None if problems else refused.message,
        )
        return page, refused.status
    return redirect(url_for("console.order", guid=guid), 303)


def _page(
    guid: str,
    *,
    problems: dict | None = None,
    item: str | None = None,
    notice: str | None = None,
    error: str | None = None,
    address_problems: dict[str, str] | None = None,
    status: int = 200,
):
    caller = session.require_user()
    ctx = session.context()
    found = backend.orders(ctx, guid)
    if not found:
        raise NotFound(f"no order {guid} of yours")
    order = found[0]
    forms = _forms(ctx, [i for po in order["provider_orders"] for i in po["items"]])
    return render_template(
        "order.html",
        caller=caller,
        order=order,
        forms=forms,
        history=backend.history(ctx, guid),
        addresses=backend.addresses(ctx),
        problems=problems or {},
        notice=notice,
        error=error,
        values=request.form if item else {},
        address_fields=backend.ADDRESS_FIELDS,
        address_problems=address_problems or {},
        address_values=request.form if address_problems else {},
    ), status


@blueprint.get("/orders/<guid>")
def order(guid: str):
    return _page(guid)


@blueprint.get("/orders/<guid>/status")
def order_status(guid: str):
    """The provider orders and their history alone, for the page to refresh while the broker
    works."""
    session.require_user()
    ctx = session.context()
    found = backend.orders(ctx, guid)
    if not found:
        raise NotFound(f"no order {guid} of yours")
    return render_template("order_status.html", order=found[0], history=backend.history(ctx, guid))


@blueprint.post("/orders/<guid>/items/<item>/options")
def set_options(guid: str, item: str):
    session.require_user()
    ctx = session.context()
    forms = _forms(ctx, [item])
    try:
        backend.set_options(
            ctx, guid, item, options_form.selection(forms[item], request.form, item)
        )
    except InvalidOptionSelection as refused:
        problems = options_form.problems_by_item(refused, forms)
        return _page(guid, problems=problems, item=item, status=400)
    return _page(guid, notice=f"options of {item} saved")


@blueprint.post("/orders/<guid>/items/<item>/remove")
def remove_item(guid: str, item: str):
    session.require_user()
    backend.remove_item(session.context(), guid, item)
    return redirect(url_for("console.order", guid=guid), 303)


@blueprint.post("/orders/<guid>/addresses")
def set_addresses(guid: str):
    session.require_user()
    try:
        backend.set_addresses(session.context(), guid, request.form)
    except ClearinghouseError as refused:
        return _page(guid, error=refused.message, status=refused.status)
    return _page(guid, notice="addresses set")


@blueprint.post("/orders/<guid>/addresses/new")
def add_address(guid: str):
    session.require_user()
    try:
        name = backend.add_address(session.context(), request.form)
    except ClearinghouseError as refused:
        if refused.status >= 500:
            raise
        field, problem = _address_problem(refused)
        return _page(guid, address_problems={field: problem}, status=refused.status)
    return _page(guid, notice=f"address {name} added")


def _address_problem(refused: ClearinghouseError) -> tuple[str, str]:
    """The form field a refusal of AddAddress belongs beside, and what to say there: the field
    its path names (``…/Zip: at most 40 characters``); a Conflict is a name already in use; else
    the form as a whole, with the whole message."""
    if isinstance(refused, Conflict):
        return "AddressId", refused.message
    path, _, problem = refused.message.partition(": ")
    name = path.rpartition("/")[2]
    if "/" in path and name in backend.ADDRESS_FIELDS:
        return name, problem
    return "", refused.message


@blueprint.post("/orders/<guid>/<step>")
def order_step(guid: str, step: str):
    session.require_user()
    if step not in STEPS:
        raise NotFound(f"no step {step}: the steps are {', '.join(STEPS)}")
    try:
        backend.order_step(session.context(), guid, STEPS[step])
    except ClearinghouseError as refused:
        if refused.status >= 500:
            raise
        return _page(guid, error=refused.message, status=refused.status)
    return redirect(url_for("console.order", guid=guid), 303)
