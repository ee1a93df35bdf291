"""OrderEntryService and ProviderOrderManagementService through Perform: orders split per partner,
items checked, options validated and masked, state changes and their refusals. The partner
requests are recorded here; sending them is tests/test_dispatch.py's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from broker.models import DispatchRequest, OptionDefinition
from clearinghouse.accounts.models import AccessRule, Grantee, Group, Permission
from tests.api_support import error, login, perform, performed, user
from tests.broker_support import (
    MEDIA_TYPE,
    PROFILE,
    SECRET,
    create,
    ftp_push,
    item,
    order_call,
    ordered,
    partner,
    provider_token,
    quote,
    report,
    states,
)

ENDPOINT = "http://127.0.0.1:9/partner"  # never called here


@pytest.fixture
def shop(db, session, tmp_path):
    """Two partners taking orders (SYNCP, ASYNCP) and a user, mia."""
    items = {
        "SYNCP": partner(db, session, tmp_path, "SYNCP", endpoint=ENDPOINT),
        "ASYNCP": partner(db, session, tmp_path, "ASYNCP", endpoint=ENDPOINT, mode="async"),
    }
    user(session, "mia")
    return items


def define(client, provider_id: str, definition: str = MEDIA_TYPE, scope: str = ""):
    token = provider_token(client, provider_id)
    return performed(
        client,
        token,
        PROFILE,
        f"<SetOptionDefinitionRequest>{scope}{definition}</SetOptionDefinitionRequest>",
    )


def test_an_order_is_split_into_one_provider_order_per_partner(client, shop):
    token = login(client, "mia")
    guid = create(
        client, token, item(shop["SYNCP"][1], 2), item(shop["ASYNCP"][1]), item(shop["ASYNCP"][2])
    )
    order = ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>").find("Order")
    pos = {po.findtext("ProviderId"): po for po in order.iter("ProviderOrder")}
    assert set(pos) == {"SYNCP", "ASYNCP"}
    assert [i.findtext("CatalogItemId") for i in pos["ASYNCP"].iter("OrderItem")] == shop["ASYNCP"][
        1:3
    ]
    assert pos["SYNCP"].findtext("OrderItem/Quantity") == "2"
    assert all(po.findtext("State") == "NOT_VALIDATED" for po in pos.values())
    assert pos["SYNCP"].findtext("ProviderTrackingId") == guid  # the broker's until replaced
    assert order.findtext("UserInformation/UserName") == "mia"
    # The history starts with each provider order's creation.
    history = ordered(
        client, token, "GetStatusHistory", "<ProviderId>SYNCP</ProviderId>", guid=guid
    )
    assert [m.findtext("Message") for m in history] == ["created"]


def test_items_are_added_updated_and_removed(client, shop):
    token = login(client, "mia")
    guid = create(client, token, item(shop["SYNCP"][1]))
    ordered(client, token, "AddOrderItems", item(shop["ASYNCP"][0]), guid=guid)
    ordered(client, token, "UpdateOrderItems", item(shop["SYNCP"][1], 3), guid=guid)
    items = ordered(client, token, "GetOrderItems", guid=guid)
    assert {i.findtext("CatalogItemId"): i.findtext("Quantity") for i in items} == {
        shop["SYNCP"][1]: "3",
        shop["ASYNCP"][0]: "1",
    }
    error(
        order_call(client, token, "AddOrderItems", item(shop["SYNCP"][1]), guid=guid),
        409,
        "Conflict",
    )
    ordered(
        client,
        token,
        "RemoveOrderItems",
        f"<CatalogItemId>{shop['ASYNCP'][0]}</CatalogItemId>",
        guid=guid,
    )
    assert states(client, token, guid) == {"SYNCP": "NOT_VALIDATED"}  # the empty one is gone
    error(
        order_call(
            client,
            token,
            "RemoveOrderItems",
            f"<CatalogItemId>{shop['ASYNCP'][0]}</CatalogItemId>",
            guid=guid,
        ),
        404,
        "NotFound",
    )


def test_items_must_exist_be_visible_and_orderable(client, session, shop):
    token = login(client, "mia")
    error(order_call(client, token, "CreateOrder", item("G999999-SYNCP")), 404, "NotFound")
    error(order_call(client, token, "CreateOrder", item("X1-SYNCP")), 400, "InvalidValue")
    # A granule's number under another provider's id is no item at all.
    number = shop["SYNCP"][1].split("-")[0]
    error(order_call(client, token, "CreateOrder", item(f"{number}-ASYNCP")), 404, "NotFound")
    # Readable but orderable only by a group mia is not in: 403. Not readable: 404, as absent.
    team = Group(name="SYNCP science team", owner_provider_id="SYNCP")
    session.add(team)
    session.flush()
    session.add(
        AccessRule(
            provider_id="SYNCP",
            permission=Permission.ORDER,
            grantee=Grantee.GROUP,
            group_id=team.id,
        )
    )
    session.commit()
    error(order_call(client, token, "CreateOrder", item(shop["SYNCP"][1])), 403, "Forbidden")
    session.add(
        AccessRule(
            provider_id="ASYNCP",
            permission=Permission.READ,
            grantee=Grantee.GROUP,
            group_id=team.id,
        )
    )
    session.commit()
    found = error(
        order_call(client, token, "CreateOrder", item(shop["ASYNCP"][1])), 404, "NotFound"
    )
    assert shop["ASYNCP"][1] in found["Message"]
    # Guests cannot order at all.
    error(order_call(client, None, "CreateOrder"), 401, "NotAuthenticated")


def test_an_order_belongs_to_its_user(client, session, shop):
    user(session, "noah")
    guid = create(client, login(client, "mia"), item(shop["SYNCP"][1]))
    other = login(client, "noah")
    error(order_call(client, other, "GetOrderItems", guid=guid), 404, "NotFound")
    error(order_call(client, other, "SubmitOrder", guid=guid), 404, "NotFound")
    assert ordered(client, other, "GetOrders").find("Order") is None
    error(order_call(client, other, "GetOrderItems", guid="not-a-guid"), 400, "InvalidValue")


def test_options_are_validated_with_paths_and_encrypted_values_never_shown(
    client, session, shop, caplog
):
    define(client, "SYNCP")
    stored = session.scalar(select(OptionDefinition.definition))
    assert stored["name"] == "MediaType" and stored["type"] == "CHOICE"
    token = login(client, "mia")
    granule = shop["SYNCP"][1]
    # Required and missing: the root option.
    missing = error(
        order_call(client, token, "CreateOrder", item(granule)), 400, "InvalidOptionSelection"
    )
    assert "MediaType" in missing["Message"]
    # Several violations, each with its path; the secret never echoed.
    bad = ftp_push(password="x" * 51, compressed="Zip").replace(
        "<SimpleOptionSelection><OptionName>UserName</OptionName><Value>mia</Value>"
        "</SimpleOptionSelection>",
        "",
    )
    found = error(
        order_call(client, token, "CreateOrder", item(granule, 1, bad)),
        400,
        "InvalidOptionSelection",
    )["Message"]
    assert "MediaType/FTPPush/UserName: required" in found
    assert "MediaType/FTPPush/Password" in found and "x" * 51 not in found
    assert "MediaType/FTPPush/Compressed: 'Zip' is not one of UnixCompress, GZip" in found
    # A valid one: stored encrypted, shown masked everywhere.
    caplog.set_level("DEBUG")
    guid = create(client, token, item(granule, 1, ftp_push()))
    for transaction in ("GetOrders", "GetOrderItems"):
        body = perform(
            client,
            token,
            "OrderEntryService",
            f"<{transaction}Request><OrderId>{guid}</OrderId></{transaction}Request>",
        ).data.decode()
        assert SECRET not in body and "********" in body and "GZip" in body
    stored = session.execute(select(DispatchRequest)).first()
    assert stored is None  # nothing sent yet
    from broker.models import OrderItem

    selection = session.scalar(select(OrderItem.option_selection))
    assert SECRET not in str(selection)
    assert SECRET not in caplog.text
    # What the partner is sent holds the value sealed until it leaves.
    ordered(client, token, "SubmitOrder", guid=guid)
    payload = session.scalar(select(DispatchRequest.payload))
    assert SECRET not in payload and 'encrypted="' in payload


def test_option_definitions_per_collection_replace_the_providers(client, session, shop):
    collection = shop["SYNCP"][0]
    define(client, "SYNCP")
    only_cd = MEDIA_TYPE.replace(
        "<Type>CHOICE</Type>", "<MinOccurs>0</MinOccurs><Type>CHOICE</Type>"
    )
    define(client, "SYNCP", only_cd, f"<CatalogItemId>{collection}</CatalogItemId>")
    token = provider_token(client, "SYNCP")
    listed = performed(client, token, PROFILE, "<GetOptionDefinitionsRequest/>")
    assert [d.findtext("Scope") for d in listed] == ["ALL", collection]
    # The collection's definition (optional MediaType) applies to its granules.
    mia = login(client, "mia")
    create(client, mia, item(shop["SYNCP"][1]))
    seen = ordered(
        client, mia, "GetOptionDefinitions", f"<CatalogItemId>{shop['SYNCP'][1]}</CatalogItemId>"
    )
    assert seen.findtext("CatalogItem/OptionDefinition/ComplexOption/MinOccurs") == "0"
    performed(
        client,
        token,
        PROFILE,
        f"<RemoveOptionDefinitionRequest><CatalogItemId>"
        f"{collection}</CatalogItemId><Name>MediaType</Name>"
        "</RemoveOptionDefinitionRequest>",
    )
    error(
        order_call(client, mia, "CreateOrder", item(shop["SYNCP"][1])),
        400,
        "InvalidOptionSelection",
    )
    # A bad definition is refused with its path; another provider's collection is not one's own.
    bad = MEDIA_TYPE.replace("<MaxValue>100</MaxValue>", "<MaxValue>0</MaxValue>")
    found = error(
        perform(
            client,
            token,
            PROFILE,
            f"<SetOptionDefinitionRequest>{bad}</SetOptionDefinitionRequest>",
        ),
        400,
        "InvalidValue",
    )
    assert "MediaType/FTPPush/FTPDir" in found["Message"]
    error(
        perform(
            client,
            token,
            PROFILE,
            f"<SetOptionDefinitionRequest><CatalogItemId>"
            f"{shop['ASYNCP'][0]}</CatalogItemId>{MEDIA_TYPE}"
            "</SetOptionDefinitionRequest>",
        ),
        404,
        "NotFound",
    )


def test_a_definition_change_invalidates_selections_at_validation(client, shop):
    token = login(client, "mia")
    guid = create(client, token, item(shop["SYNCP"][1]))
    assert states(client, token, guid) == {"SYNCP": "NOT_VALIDATED"}
    ordered(client, token, "ValidateOrder", guid=guid)
    assert states(client, token, guid) == {"SYNCP": "VALIDATED"}
    define(client, "SYNCP")  # now MediaType is required
    checked = ordered(client, token, "ValidateOrder", guid=guid)
    assert states(client, token, guid) == {"SYNCP": "NOT_VALIDATED"}
    assert "MediaType" in checked.findtext("Problem")
    refused = error(order_call(client, token, "SubmitOrder", guid=guid), 409, "IllegalStateChange")
    assert "not valid" in refused["Message"]


def test_submit_records_one_request_per_partner_in_the_same_transaction(client, session, shop):
    token = login(client, "mia")
    guid = create(client, token, item(shop["SYNCP"][1], 2), item(shop["ASYNCP"][1]))
    ordered(client, token, "SubmitOrder", guid=guid)
    assert states(client, token, guid) == {"SYNCP": "SUBMITTING", "ASYNCP": "SUBMITTING"}
    requests = session.scalars(select(DispatchRequest).order_by(DispatchRequest.id)).all()
    assert [r.transaction.value for r in requests] == ["SUBMIT", "SUBMIT"]
    payload = requests[0].payload
    assert f"<ECHOOrderID>{guid}</ECHOOrderID>" in payload
    assert f"<ProviderTrackingID>{guid}</ProviderTrackingID>" in payload
    assert f"<RequestId>{requests[0].request_id}</RequestId>" in payload
    assert "<ECHOUserID>mia</ECHOUserID>" in payload
    # Nothing else may happen to a submitted order from the client's side but a cancel later.
    for transaction in ("SubmitOrder", "QuoteOrder", "DeleteOrder"):
        found = error(order_call(client, token, transaction, guid=guid), 409, "IllegalStateChange")
        assert "SUBMITTING" in found["Message"]
    found = error(
        order_call(client, token, "AddOrderItems", item(shop["SYNCP"][2]), guid=guid),
        409,
        "IllegalStateChange",
    )
    assert "SUBMITTING" in found["Message"]
    found = error(order_call(client, token, "CancelOrder", guid=guid), 409, "IllegalStateChange")
    assert "SUBMITTING" in found["Message"]


def test_a_partner_reports_through_provider_order_management(client, session, shop):
    token = login(client, "mia")
    guid = create(client, token, item(shop["ASYNCP"][1]))
    ordered(client, token, "QuoteOrder", guid=guid)
    desk = provider_token(client, "ASYNCP")
    bad = error(
        perform(
            client,
            desk,
            "ProviderOrderManagementService",
            f"<SupplyProviderQuoteRequest><ECHOOrderID>{guid}</ECHOOrderID>"
            f"{quote('ten')}</SupplyProviderQuoteRequest>",
        ),
        400,
        "InvalidValue",
    )
    assert "TotalPrice: 'ten' is not a price" in bad["Message"]
    answered = report(
        client,
        desk,
        "SupplyProviderQuote",
        guid,
        f"<ProviderTrackingID>AS-1</ProviderTrackingID>{quote('7.25')}",
    )
    assert answered.findtext("ProviderOrder/State") == "QUOTED"
    po = ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>").find(
        "Order/ProviderOrder"
    )
    assert po.findtext("Quote/TotalPrice") == "7.25"
    assert po.findtext("ProviderTrackingId") == "AS-1"
    ordered(client, token, "SubmitOrder", guid=guid)
    # Later requests carry the partner's tracking id.
    payload = session.scalars(select(DispatchRequest.payload).order_by(DispatchRequest.id)).all()
    assert "<ProviderTrackingID>AS-1</ProviderTrackingID>" in payload[-1]
    acceptance = "<ProviderOrderAcceptance><TotalPrice>7.25</TotalPrice></ProviderOrderAcceptance>"
    report(client, desk, "AcceptProviderOrderSubmission", guid, acceptance)
    report(client, desk, "AddStatusMessage", guid, "<StatusMessage>on tape 4</StatusMessage>")
    closed = report(
        client,
        desk,
        "CloseProviderOrder",
        guid,
        "<OnlineAccessURLs><URL>https://data.example.org/1.hdf</URL></OnlineAccessURLs>",
    )
    assert closed.findtext("ProviderOrder/State") == "CLOSED"
    history = ordered(client, token, "GetStatusHistory", guid=guid)
    messages = [(m.findtext("Source"), m.findtext("Message")) for m in history]
    assert ("partner", "on tape 4") in messages
    assert messages[-1] == ("partner", "closed by the partner")
    po = ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>").find(
        "Order/ProviderOrder"
    )
    assert po.findtext("OnlineAccessURLs/URL") == "https://data.example.org/1.hdf"
    assert po.findtext("Closed") == "true"
    # A closed order takes nothing more.
    found = error(
        perform(
            client,
            desk,
            "ProviderOrderManagementService",
            f"<CloseProviderOrderRequest><ECHOOrderID>{guid}</ECHOOrderID>"
            "</CloseProviderOrderRequest>",
        ),
        409,
        "IllegalStateChange",
    )
    assert "CLOSED" in found["Message"]


def test_provider_order_management_is_for_the_orders_own_partner(client, session, shop):
    guid = create(client, login(client, "mia"), item(shop["ASYNCP"][1]))
    body = (
        f"<RejectProviderQuoteRequest><ECHOOrderID>{guid}</ECHOOrderID>"
        "</RejectProviderQuoteRequest>"
    )
    # Not acting for a provider: 403; acting for another: that one has no such order.
    error(
        perform(client, login(client, "asyncp-ops"), "ProviderOrderManagementService", body),
        403,
        "Forbidden",
    )
    error(
        perform(client, provider_token(client, "SYNCP"), "ProviderOrderManagementService", body),
        404,
        "NotFound",
    )
    error(
        perform(client, login(client, "mia"), "ProviderOrderManagementService", body),
        403,
        "Forbidden",
    )
    # The right partner, the wrong moment: the order is not being quoted.
    found = error(
        perform(client, provider_token(client, "ASYNCP"), "ProviderOrderManagementService", body),
        409,
        "IllegalStateChange",
    )
    assert "NOT_VALIDATED" in found["Message"]


def test_update_provider_order_state_takes_only_partner_edges(client, shop):
    token = login(client, "mia")
    guid = create(client, token, item(shop["ASYNCP"][1]))
    ordered(client, token, "SubmitOrder", guid=guid)
    desk = provider_token(client, "ASYNCP")
    found = error(
        perform(
            client,
            desk,
            "ProviderOrderManagementService",
            f"<UpdateProviderOrderStateRequest><ECHOOrderID>{guid}</ECHOOrderID>"
            "<State>CLOSED</State></UpdateProviderOrderStateRequest>",
        ),
        409,
        "IllegalStateChange",
    )
    assert "SUBMITTING" in found["Message"] and "PROCESSING" in found["Message"]
    moved = report(
        client,
        desk,
        "UpdateProviderOrderState",
        guid,
        "<State>PROCESSING</State><StatusMessage>started</StatusMessage>",
    )
    assert moved.findtext("ProviderOrder/State") == "PROCESSING"
    report(client, desk, "UpdateProviderOrderState", guid, "<State>closed</State>")
    assert states(client, token, guid) == {"ASYNCP": "CLOSED"}
    error(
        perform(
            client,
            desk,
            "ProviderOrderManagementService",
            f"<UpdateProviderOrderStateRequest><ECHOOrderID>{guid}</ECHOOrderID>"
            "<State>DONE</State></UpdateProviderOrderStateRequest>",
        ),
        400,
        "InvalidValue",
    )


def test_delete_and_addresses(client, session, shop):
    performed(
        client,
        login(client, "mia"),
        "UserAccountService",
        "<AddAddressRequest><AddressInformation><AddressId>lab</AddressId>"
        "<Street1>8800 Greenbelt Rd</Street1><City>Greenbelt</City></AddressInformation>"
        "</AddAddressRequest>",
    )
    token = login(client, "mia")
    guid = create(client, token, item(shop["SYNCP"][1]))
    ordered(
        client,
        token,
        "SetUserInformationForOrder",
        "<ShippingAddressId>lab</ShippingAddressId>",
        guid=guid,
    )
    order = ordered(client, token, "GetOrders", f"<OrderId>{guid}</OrderId>").find("Order")
    assert order.findtext("UserInformation/ShippingAddress/Street1") == "8800 Greenbelt Rd"
    error(
        order_call(
            client,
            token,
            "SetUserInformationForOrder",
            "<ShippingAddressId>moon</ShippingAddressId>",
            guid=guid,
        ),
        404,
        "NotFound",
    )
    ordered(client, token, "SubmitOrder", guid=guid)
    payload = session.scalar(select(DispatchRequest.payload))
    assert "<ShippingAddress><Street1>8800 Greenbelt Rd</Street1>" in payload
    other = create(client, token, item(shop["ASYNCP"][1]))
    ordered(client, token, "DeleteOrder", guid=other)
    assert states(client, token, other) == {"ASYNCP": "DELETED"}
    found = ordered(client, token, "GetOrders", "<State>DELETED</State>")
    assert [o.findtext("OrderId") for o in found] == [other]
