"""The session: the seven functions of seed slide 88 (login, logout, perform, identify, provider
and user context, remove) and the services reached through it.

The session's token travels in the ``Echo-Token`` header and nowhere else: it is not in the
session's ``repr``, not in any message the toolkit logs or raises.
"""

from __future__ import annotations

from lxml import etree

from clearinghouse_client import errors
from clearinghouse_client.transport import DEFAULT_RETRY, RetryPolicy, Transport
from clearinghouse_client.xml import E, child, optional, text


class Session:
    """A session with the clearinghouse at ``url`` (``http://host:port``), a guest's until
    :meth:`login`. ``client_id`` identifies the client program to the server (it is logged and
    passed on with orders). ``token`` resumes a session made earlier (see :attr:`token`).

    Used as a context manager, the session is removed on exit::

        with Session("http://localhost:5000", client_id="my-portal") as session:
            session.login("alice", password)
            for granule in session.catalog.search(Query.granules().provider("PODAAC")):
                ...

    Its services: :attr:`catalog`, :attr:`orders`, :attr:`accounts`, :attr:`registration`,
    :attr:`groups`, :attr:`provider_profile`, :attr:`provider_orders`, :attr:`admin`.
    """

    def __init__(
        self,
        url: str,
        client_id: str | None = None,
        *,
        token: str | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: float = 60.0,
    ):
        from clearinghouse_client.services import (
            AccountService,
            AdministrationService,
            CatalogService,
            GroupService,
            OrderService,
            ProviderOrderService,
            ProviderProfileService,
            RegistrationService,
        )

        self._transport = Transport(url, retry=retry, timeout=timeout)
        self._token = token
        self.client_id = client_id
        #: Who is logged in (None for a guest), the provider acted for, the user acted as.
        self.username: str | None = None
        self.provider_id: str | None = None
        self.acting_as: str | None = None
        self.catalog = CatalogService(self)
        self.orders = OrderService(self)
        self.accounts = AccountService(self)
        self.registration = RegistrationService(self)
        self.groups = GroupService(self)
        self.provider_profile = ProviderProfileService(self)
        self.provider_orders = ProviderOrderService(self)
        self.admin = AdministrationService(self)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._transport.url

    @property
    def token(self) -> str | None:
        """The session's token, to keep it for later (``Session(url, token=…)``); None until the
        server gave one. Treat it as a password."""
        return self._token

    def __repr__(self) -> str:
        who = self.username or "guest"
        parts = [repr(self.url), f"user={who!r}"]
        if self.client_id:
            parts.append(f"client_id={self.client_id!r}")
        if self.provider_id:
            parts.append(f"provider={self.provider_id!r}")
        if self.acting_as:
            parts.append(f"acting_as={self.acting_as!r}")
        return f"Session({', '.join(parts)})"

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._token is not None:
                self.remove()
        except errors.NotAuthenticated:
            pass  # already ended
        finally:
            self._transport.close()

    # -- the session functions -------------------------------------------------------------------

    def _call(self, function: str, document: etree._Element | None) -> etree._Element:
        return self._transport.call(function, document, self._token)

    def login(self, username: str, password: str) -> None:
        """Log in as a registered user; until then, and after :meth:`logout`, the session is a
        guest's. A wrong password raises :class:`~clearinghouse_client.errors.NotAuthenticated`,
        :class:`~clearinghouse_client.errors.AccountLocked` after too many."""
        if not username.strip():
            raise errors.InvalidValue("Login/UserName: must not be empty")
        if not password:
            raise errors.InvalidValue("Login/Password: must not be empty")
        answer = self._call(
            "login",
            E.Login(
                E.UserName(username), E.Password(password), *optional("ClientId", self.client_id)
            ),
        )
        self._token = text(child(answer, "Token"), ".")
        self.username = username
        self.provider_id = self.acting_as = None

    def logout(self) -> None:
        """End the login: the session goes on as a guest's."""
        self._call("logout", None)
        self._token = None
        self.username = self.provider_id = self.acting_as = None

    def identify(self, client_id: str) -> None:
        """Tell the server which client program this is (a guest gets a session by it)."""
        if len(client_id) > 200:
            raise errors.InvalidValue("Identify/ClientId: at most 200 characters")
        answer = self._call("identify", E.Identify(E.ClientId(client_id)))
        token = text(answer, "Token")
        if token:
            self._token = token
        self.client_id = client_id

    def provider_context(self, provider_id: str | None) -> None:
        """Act for a provider (one the user has a role for); None stops acting for one."""
        self._call("provider-context", E.SetProviderContext(*optional("ProviderId", provider_id)))
        self.provider_id = provider_id

    def user_context(self, username: str | None) -> None:
        """An administrator acts as another user (None: as itself again)."""
        self._call("user-context", E.SetUserContext(*optional("UserName", username)))
        self.acting_as = username

    def remove(self) -> None:
        """End the session altogether; the token is forgotten."""
        try:
            self._call("remove", None)
        finally:
            self._token = None
            self.username = self.provider_id = self.acting_as = None

    def perform(self, service: str, request: etree._Element) -> etree._Element:
        """Run one transaction: ``request`` is the ``<…Request>`` element of ``service``; the
        answer is its ``<…Response>`` element. The services' methods do this for you."""
        answer = self._call("perform", E(service, request))
        if answer.tag != service or len(answer) != 1:
            raise errors.UnexpectedAnswer(f"the answer to {service} is <{answer.tag}>")
        return answer[0]

    def perform_xml(self, message: bytes | str) -> etree._Element:
        """Send a service message written by hand (``<Service><…Request>…``); the answer's root
        element. For what the typed methods do not cover."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        return self._transport.call("perform", message, self._token)
