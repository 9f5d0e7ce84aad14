"""The network side of `events.ingest.fetch`: connections only to checked addresses, every
socket operation within the fetch's overall deadline.

- Addresses are checked after DNS resolution, inside the connection itself: the socket connects
  to the very address that was checked, so a DNS answer that changes between check and connect
  (rebinding) cannot slip through. TLS SNI and the Host header still carry the host name.
- `Budget` is the fetch's deadline, seen by every socket operation of the calling thread, so a
  server trickling one byte at a time cannot outlive it.
"""

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

if TYPE_CHECKING:
    from events.ingest.fetch import FetchPolicy

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Budget:
    """The fetch's overall deadline, seen by every socket operation of the calling thread."""

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        # A robots.txt fetch made on behalf of a page spends the page's time too.
        self.parent: Budget | None = getattr(self._current, "budget", None)
        if self.parent is not None:
            self.deadline = min(self.deadline, self.parent.deadline)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        self._current.budget = self
        try:
            yield
        finally:
            self._current.budget = self.parent

    def extend(self, seconds: float) -> None:
        budget: Budget | None = self
        while budget is not None:
            budget.deadline += seconds
            budget = budget.parent

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    @classmethod
    def clamp(cls, timeout: float | None, expired: type[Exception]) -> float | None:
        budget: Budget | None = getattr(cls._current, "budget", None)
        if budget is None:
            return timeout
        left = budget.deadline - time.monotonic()
        if left <= 0:
            raise expired("fetch deadline passed")
        return left if timeout is None else min(timeout, left)


class Refused(Exception):
    temporary = False


class Unresolvable(Exception):
    def __init__(self, host: str, error: socket.gaierror) -> None:
        super().__init__(f"could not resolve host {host}")
        # "No such name" will not change on retry; a resolver failure may.
        self.temporary = error.errno not in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))


class _GuardedStream(httpcore.NetworkStream):
    """Every socket operation waits no longer than its own timeout and the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, Budget.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, Budget.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = Budget.clamp(timeout, httpcore.ConnectTimeout)
        return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks and connects to the checked address itself: no second lookup."""

    def __init__(self, policy: "FetchPolicy") -> None:
        self._inner = httpcore.SyncBackend()
        self._allow_all = policy.allow_private_networks
        self._exempt = tuple(ipaddress.ip_network(net) for net in policy.allowed_networks)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port)
        permitted = [address for address in addresses if self._permits(address)]
        if not permitted:
            raise Refused(f"refused: {addresses[0]} is {address_refusal(addresses[0])}")
        failure: httpcore.ConnectError | None = None
        for address in permitted:
            timeout = Budget.clamp(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
            else:
                return _GuardedStream(stream)
        assert failure is not None  # noqa: S101 - permitted is not empty
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise Refused("refused: unix sockets are never used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _permits(self, address: str) -> bool:
        if self._allow_all:
            return True
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        return any(ip in net for net in self._exempt) or address_refusal(address) is None


def _resolve(host: str, port: int) -> list[str]:
    # getaddrinfo has no timeout of its own: the system resolver's (resolv.conf) applies.
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Unresolvable(host, exc) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_refusal(address: str) -> str | None:
    """Why address must not be contacted ("a private address"), or None if it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 inside IPv6 reaches the IPv4 address: judge that one.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_refusal(str(embedded))
    checks = (
        ("an unspecified", ip.is_unspecified),
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("a multicast", ip.is_multicast),
        ("a private", ip.is_private),
        ("a reserved", ip.is_reserved),
        ("a non-public", not ip.is_global),
    )
    return next((f"{kind} address" for kind, failed in checks if failed), None)


def host_refusal(host: str) -> str | None:
    """Why ``host`` must not be contacted (it resolves only to addresses that
    :func:`address_refusal` refuses), or None. A name that does not resolve now is not refused
    here: the fetch will say so, and checks every connection's address again anyway."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    reasons = [address_refusal(address) for address in addresses]
    if addresses and all(reasons):
        return f"refused: {host} is {reasons[0]} ({addresses[0]})"
    return None


def guarded_transport(policy: "FetchPolicy") -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(trust_env=False, retries=0)
    # httpx 0.28 has no public hook for the network backend: the pool it built is replaced by
    # the same pool with ours (httpx is pinned in requirements.txt).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        retries=0,
        network_backend=_GuardedBackend(policy),
    )
    return transport
