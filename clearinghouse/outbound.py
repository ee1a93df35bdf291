"""Where the server may send requests of its own: partners' order endpoints and OSEO clients'
callbacks (wsa:ReplyTo). Both are URLs that users name, so without a rule anyone registered could
make the server POST to its own loopback, a cloud metadata address or the private network.

The rule (settings ``outbound_schemes`` and ``outbound_allow``): the URL's scheme is allowed, and
either its host is named in the allow-list, or every address the host resolves to is covered by
it: ``public`` covers the globally routable addresses, a network (``10.1.0.0/16``, ``127.0.0.1``)
its own. Loopback, link-local, private and other special addresses are covered only by a network
naming them. A URL is checked when it is configured, and again when a request is sent, which then
goes to the very address just checked: a name resolving elsewhere later (DNS rebinding) gains
nothing.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
import urllib.parse

import urllib3

from clearinghouse.errors import DestinationNotAllowed


class HostUnresolvable(DestinationNotAllowed):
    """No address for the host now: refused when configured, tried again later when sending."""


ALLOW_SETTING = "CLEARINGHOUSE_OUTBOUND_ALLOW"
SCHEMES_SETTING = "CLEARINGHOUSE_OUTBOUND_SCHEMES"
KNOWN_SCHEMES = ("http", "https")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclasses.dataclass(frozen=True)
class Allowed:
    """An allow-list: ``public``, networks, and host names (``*.example.org`` for subdomains)."""

    public: bool = True
    networks: tuple[Network, ...] = ()
    hosts: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = (["public"] if self.public else []) + [str(n) for n in self.networks]
        return ",".join(parts + list(self.hosts)) or "(nothing)"

    def names(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(
            host == entry or (entry.startswith("*.") and host.endswith(entry[1:]))
            for entry in self.hosts
        )

    def covers(self, address: Address) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if self.public and address.is_global and not address.is_multicast:
            return True
        return any(address in network for network in self.networks)


def parse_allow(text: str) -> Allowed:
    public, networks, hosts = False, [], []
    for entry in (e.strip() for e in text.replace(" ", ",").split(",")):
        if not entry:
            continue
        if entry.lower() == "public":
            public = True
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        name = entry.lower().rstrip(".")
        label = name[2:] if name.startswith("*.") else name
        if not label or not all(
            part and part.replace("-", "").isalnum() for part in label.split(".")
        ):
            raise ValueError(
                f"{entry!r} is neither public, an IP network (10.0.0.0/8, 127.0.0.1) nor a host"
                " name (partner.example.org, *.example.org)"
            )
        hosts.append(name)
    return Allowed(public=public, networks=tuple(networks), hosts=tuple(hosts))


def parse_schemes(text: str) -> frozenset[str]:
    schemes = frozenset(s.strip().lower() for s in text.split(",") if s.strip())
    unknown = sorted(schemes - set(KNOWN_SCHEMES))
    if not schemes or unknown:
        raise ValueError(f"{text!r}: name http, https or both (comma-separated)")
    return schemes


@dataclasses.dataclass(frozen=True)
class Policy:
    schemes: frozenset[str] = frozenset(KNOWN_SCHEMES)
    allowed: Allowed = Allowed()

    def __str__(self) -> str:
        return f"{','.join(sorted(self.schemes))} to {self.allowed}"


#: The default settings' policy: http and https to public addresses.
DEFAULT = Policy()


@dataclasses.dataclass(frozen=True)
class Destination:
    """A checked URL, and the addresses a request to it may go to (all of them checked)."""

    url: str
    scheme: str
    host: str
    port: int
    target: str  # path and query
    addresses: tuple[Address, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _refused(url: str, reason: str, policy: Policy, kind=DestinationNotAllowed):
    return kind(
        f"{url}: {reason}; the server sends requests only where {SCHEMES_SETTING} and"
        f" {ALLOW_SETTING} allow ({policy})"
    )


def _resolve(host: str, port: int, url: str, policy: Policy) -> tuple[Address, ...]:
    try:
        return (ipaddress.ip_address(host),)
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _refused(url, f"{host} cannot be resolved", policy, HostUnresolvable) from None
    return tuple(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))


def check(url: str, policy: Policy) -> Destination:
    """The destination ``url`` stands for, if the policy allows it; DestinationNotAllowed if not
    (HostUnresolvable when its host has no address now)."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise _refused(url, f"not a URL ({error})", policy) from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in policy.schemes:
        raise _refused(url, f"the scheme {scheme or '(none)'} is not allowed", policy)
    if not host or parts.username is not None:
        raise _refused(url, "a URL with a host and no user name is needed", policy)
    port = port or (443 if scheme == "https" else 80)
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    addresses = _resolve(host, port, url, policy)
    if not policy.allowed.names(host):
        refused = [a for a in addresses if not policy.allowed.covers(a)]
        if refused:
            raise _refused(url, f"{host} is at {refused[0]}, which is not allowed", policy)
    return Destination(url, scheme, host, port, target, addresses)


def post(
    http: urllib3.PoolManager,
    url: str,
    policy: Policy,
    body: bytes,
    *,
    headers: dict[str, str],
    timeout: urllib3.Timeout,
) -> urllib3.BaseHTTPResponse:
    """POST to ``url`` once checked, connecting to the address checked (no redirects, no retries).
    Raises DestinationNotAllowed, or urllib3's and the socket's errors."""
    destination = check(url, policy)
    address = str(destination.addresses[0])
    tls = None
    if destination.scheme == "https":  # the certificate is still the name's, not the address's
        tls = {"server_hostname": destination.host, "assert_hostname": destination.host}
    pool = http.connection_from_host(address, destination.port, destination.scheme, pool_kwargs=tls)
    return pool.urlopen(
        "POST",
        destination.target,
        body=body,
        headers={**headers, "Host": destination.host_header},
        timeout=timeout,
        retries=False,
        redirect=False,
        assert_same_host=False,
    )
