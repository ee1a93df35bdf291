"""ProviderProfileService: a partner's own profile, its order policy and its option
definitions."""

from __future__ import annotations

from lxml import etree

from broker import definitions
from broker.options import definition_element
from clearinghouse.api.call import Call
from clearinghouse.api.messages import E, Fields
from clearinghouse.api.registry import REGISTRY, Who
from clearinghouse.api.services.policy import profile_element, read_profile
from clearinghouse.catalog.conditions import item_id
from clearinghouse.errors import Conflict

SERVICE = "ProviderProfileService"


@REGISTRY.transaction(SERVICE, "GetProviderProfileRequest", who=Who.PROVIDER)
def get_profile(call: Call, request: etree._Element) -> etree._Element:
    provider = call.provider(Fields(request).text("ProviderId"))
    return E.GetProviderProfileResponse(profile_element(provider))


@REGISTRY.transaction(SERVICE, "UpdateProviderProfileRequest", who=Who.PROVIDER)
def update_profile(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    provider = call.provider(fields.text("ProviderId"))
    for column, value in read_profile(fields, call.settings.outbound).items():
        setattr(provider, column, value)
    call.session.flush()
    return E.UpdateProviderProfileResponse(profile_element(provider))


def _scope(call: Call, fields: Fields):
    provider = call.provider(fields.text("ProviderId"))
    catalog_item_id = fields.text("CatalogItemId", max_length=80)
    collection_id = definitions.collection_of(call.session, provider.provider_id, catalog_item_id)
    return provider, catalog_item_id, collection_id


def _definitions_element(tag: str, rows, provider_id: str) -> etree._Element:
    response = etree.Element(tag)
    for row in rows:
        scope = E.Scope(
            item_id("C", row.collection_id, provider_id) if row.collection_id else "ALL"
        )
        response.append(E.Definition(scope, definition_element(row.definition)))
    return response


@REGISTRY.transaction(SERVICE, "SetOptionDefinitionRequest", who=Who.PROVIDER)
def set_option_definition(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    provider, _, collection_id = _scope(call, fields)
    count = len(definitions.listed(call.session, provider.provider_id, everything=True))
    if count >= definitions.MAX_DEFINITIONS:
        raise Conflict(f"a provider has at most {definitions.MAX_DEFINITIONS} option definitions")
    tree = definitions.put(
        call.session, provider.provider_id, collection_id, request.find("OptionDefinition")
    )
    return E.SetOptionDefinitionResponse(definition_element(tree))


@REGISTRY.transaction(SERVICE, "GetOptionDefinitionsRequest", who=Who.PROVIDER)
def get_option_definitions(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    provider, catalog_item_id, collection_id = _scope(call, fields)
    rows = definitions.listed(
        call.session, provider.provider_id, collection_id, everything=catalog_item_id is None
    )
    return _definitions_element("GetOptionDefinitionsResponse", rows, provider.provider_id)


@REGISTRY.transaction(SERVICE, "RemoveOptionDefinitionRequest", who=Who.PROVIDER)
def remove_option_definition(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    provider, _, collection_id = _scope(call, fields)
    definitions.remove(
        call.session, provider.provider_id, collection_id, fields.required("Name", max_length=100)
    )
    return E.RemoveOptionDefinitionResponse()
