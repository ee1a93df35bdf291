"""ProviderProfileService (a partner's profile, order policy and option definitions) and
ProviderOrderManagementService (a partner reports on its provider orders). Both are for a user
acting for the provider (``session.provider_context(...)``); administrators may name the
provider instead."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from clearinghouse_client.services.base import Service, required
from clearinghouse_client.values import (
    OptionDefinition,
    OrderPolicy,
    ProviderOrder,
    ProviderProfile,
)
from clearinghouse_client.xml import E, child, optional


def _provider(provider_id: str | None) -> list[etree._Element]:
    return optional("ProviderId", provider_id)


class ProviderProfileService(Service):
    """A partner's own profile, order policy and option definitions."""

    name = "ProviderProfileService"

    def get(self, provider_id: str | None = None) -> ProviderProfile:
        """The provider's profile (the one acted for, unless an administrator names one)."""
        answer = self._perform(E.GetProviderProfileRequest(*_provider(provider_id)))
        return ProviderProfile.from_xml(child(answer, "ProviderProfile"))

    def update(
        self,
        *,
        provider_id: str | None = None,
        name: str | None = None,
        contact_email: str | None = None,
        policy: OrderPolicy | None = None,
    ) -> ProviderProfile:
        """Change the name, contact e-mail or order policy given; the profile as it is now."""
        answer = self._perform(
            E.UpdateProviderProfileRequest(
                *_provider(provider_id),
                *optional("Name", name),
                *optional("ContactEmail", contact_email),
                *([policy.to_xml()] if policy else []),
            )
        )
        return ProviderProfile.from_xml(child(answer, "ProviderProfile"))

    def set_option_definition(
        self,
        definition: OptionDefinition,
        *,
        collection: str | None = None,
        provider_id: str | None = None,
    ) -> OptionDefinition:
        """Add a definition for all the provider's collections, or one (``collection``: its
        item id ``C<n>-<PROVIDER>``), replacing one of the same name and scope; the definition
        as stored (every default written out)."""
        required("SetOptionDefinitionRequest/OptionDefinition/Name", definition.name)
        answer = self._perform(
            E.SetOptionDefinitionRequest(
                *_provider(provider_id),
                *optional("CatalogItemId", collection),
                definition.to_xml(),
            )
        )
        return OptionDefinition.from_xml(child(answer, "OptionDefinition"))

    def option_definitions(
        self, *, collection: str | None = None, provider_id: str | None = None
    ) -> list[OptionDefinition]:
        """The provider's definitions (all, or those applying to ``collection``), each with its
        ``scope``."""
        answer = self._perform(
            E.GetOptionDefinitionsRequest(
                *_provider(provider_id), *optional("CatalogItemId", collection)
            )
        )
        return [
            OptionDefinition.from_xml(child(d, "OptionDefinition"), scope=d.findtext("Scope"))
            for d in answer.iterfind("Definition")
        ]

    def remove_option_definition(
        self, name: str, *, collection: str | None = None, provider_id: str | None = None
    ) -> None:
        """Remove the definition of this name and scope."""
        self._perform(
            E.RemoveOptionDefinitionRequest(
                *_provider(provider_id), *optional("CatalogItemId", collection), E.Name(name)
            )
        )


_QUOTE = (
    ("data_cost", "DataCost"),
    ("media_cost", "MediaCost"),
    ("shipping_cost", "ShippingCost"),
    ("handling_cost", "HandlingCost"),
    ("discount", "Discount"),
)


class ProviderOrderService(Service):
    """A partner's side of its provider orders: outcomes of the broker's requests (async
    partners), state changes, status messages. Each names the order by the ECHOOrderID the
    broker sent."""

    name = "ProviderOrderManagementService"

    def _report(self, tag: str, order_id: str, *parts: etree._Element) -> ProviderOrder:
        required(f"{tag}/ECHOOrderID", order_id)
        answer = self._perform(E(tag, E.ECHOOrderID(order_id), *parts))
        return ProviderOrder.from_xml(child(answer, "ProviderOrder"), order_id)

    def list(self, *states: str) -> list[ProviderOrder]:
        """The provider's orders, newest first (only those in ``states`` when given)."""
        answer = self._perform(E.GetProviderOrdersRequest(*(E.State(s) for s in states)))
        return [ProviderOrder.from_xml(po) for po in answer.iterfind("ProviderOrder")]

    def supply_quote(
        self,
        order_id: str,
        total_price: Decimal | str,
        expiration_date: str,
        *,
        tracking_id: str | None = None,
        message: str | None = None,
        **costs,
    ) -> ProviderOrder:
        """Quote an order (TotalPrice and QuoteExpirationDate required; ``data_cost``,
        ``media_cost``, ``shipping_cost``, ``handling_cost``, ``discount``,
        ``recommended_media``, ``media_quantity``, ``additional_information`` optional)."""
        quote = E.ProviderQuote(
            E.TotalPrice(str(total_price)),
            *(e for key, tag in _QUOTE for e in optional(tag, costs.get(key))),
            *optional("RecommendedMedia", costs.get("recommended_media")),
            *optional("MediaQuantity", costs.get("media_quantity")),
            E.QuoteExpirationDate(expiration_date),
            *optional("additionalInformation", costs.get("additional_information")),
        )
        return self._report(
            "SupplyProviderQuoteRequest",
            order_id,
            *optional("ProviderTrackingID", tracking_id),
            quote,
            *optional("StatusMessage", message),
        )

    def reject_quote(self, order_id: str, reason: str | None = None, *, tracking_id=None):
        """Refuse to quote."""
        return self._report(
            "RejectProviderQuoteRequest",
            order_id,
            *optional("ProviderTrackingID", tracking_id),
            *optional("Reason", reason),
        )

    def accept_submission(
        self,
        order_id: str,
        total_price: Decimal | str,
        *,
        tracking_id: str | None = None,
        message: str | None = None,
        estimated_ship_date: str | None = None,
        latest_cancel_date: str | None = None,
        additional_information: str | None = None,
        **costs,
    ) -> ProviderOrder:
        """Accept a submitted order (TotalPrice required)."""
        acceptance = E.ProviderOrderAcceptance(
            *optional("latestCancelDate", latest_cancel_date),
            *optional("estimatedShipDate", estimated_ship_date),
            *optional("additionalInformation", additional_information),
            E.TotalPrice(str(total_price)),
            *optional("ShippingCost", costs.get("shipping_cost")),
            *optional("MediaCost", costs.get("media_cost")),
            *optional("HandlingCost", costs.get("handling_cost")),
            *optional("DataCost", costs.get("data_cost")),
            *optional("Discount", costs.get("discount")),
            *optional("MediaQuantity", costs.get("media_quantity")),
        )
        return self._report(
            "AcceptProviderOrderSubmissionRequest",
            order_id,
            *optional("ProviderTrackingID", tracking_id),
            acceptance,
            *optional("StatusMessage", message),
        )

    def reject_submission(self, order_id: str, reason: str | None = None, *, tracking_id=None):
        """Refuse a submitted order."""
        return self._report(
            "RejectProviderOrderSubmissionRequest",
            order_id,
            *optional("ProviderTrackingID", tracking_id),
            *optional("Reason", reason),
        )

    def update_state(
        self, order_id: str, state: str, *, tracking_id=None, message: str | None = None
    ) -> ProviderOrder:
        """Move the provider order to ``state`` (an
        :class:`~clearinghouse_client.errors.IllegalStateChange` when it cannot go there)."""
        return self._report(
            "UpdateProviderOrderStateRequest",
            order_id,
            *optional("ProviderTrackingID", tracking_id),
            E.State(state),
            *optional("StatusMessage", message),
        )

    def accept_cancellation(self, order_id: str, message: str | None = None) -> ProviderOrder:
        """Accept the broker's cancellation."""
        return self._report(
            "AcceptProviderOrderCancellationRequest", order_id, *optional("StatusMessage", message)
        )

    def reject_cancellation(self, order_id: str, reason: str | None = None) -> ProviderOrder:
        """Refuse the broker's cancellation."""
        return self._report(
            "RejectProviderOrderCancellationRequest", order_id, *optional("Reason", reason)
        )

    def close(
        self, order_id: str, message: str | None = None, access_urls: list[str] | None = None
    ) -> ProviderOrder:
        """Close the provider order: done; ``access_urls`` say where the data is."""
        urls = [E.OnlineAccessURLs(*(E.URL(u) for u in access_urls))] if access_urls else []
        return self._report(
            "CloseProviderOrderRequest", order_id, *optional("StatusMessage", message), *urls
        )

    def add_status_message(
        self, order_id: str, message: str, access_urls: list[str] | None = None
    ) -> ProviderOrder:
        """Tell the user something about the order (and, optionally, where data is)."""
        required("AddStatusMessageRequest/StatusMessage", message)
        urls = [E.OnlineAccessURLs(*(E.URL(u) for u in access_urls))] if access_urls else []
        return self._report("AddStatusMessageRequest", order_id, E.StatusMessage(message), *urls)
