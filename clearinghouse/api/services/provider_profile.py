"""ProviderProfileService: a partner's own profile and order policy (the order issue adds its
option definitions here)."""

from __future__ import annotations

from lxml import etree

from clearinghouse.api.call import Call
from clearinghouse.api.messages import E, Fields
from clearinghouse.api.registry import REGISTRY, Who
from clearinghouse.api.services.policy import profile_element, read_profile

SERVICE = "ProviderProfileService"


@REGISTRY.transaction(SERVICE, "GetProviderProfileRequest", who=Who.PROVIDER)
def get_profile(call: Call, request: etree._Element) -> etree._Element:
    provider = call.provider(Fields(request).text("ProviderId"))
    return E.GetProviderProfileResponse(profile_element(provider))


@REGISTRY.transaction(SERVICE, "UpdateProviderProfileRequest", who=Who.PROVIDER)
def update_profile(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    provider = call.provider(fields.text("ProviderId"))
    for column, value in read_profile(fields).items():
        setattr(provider, column, value)
    call.session.flush()
    return E.UpdateProviderProfileResponse(profile_element(provider))
