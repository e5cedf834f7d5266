"""The waitress server `workbench serve` runs, guarded so that idle and half-open connections
cannot keep reviewers out: connections per client and in all are capped (over a cap, the idlest
connection that never sent a whole request is closed, not the new one), and slow headers and idle
connections time out. docs/api.md ("Limits") gives the figures."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Guard:
    """The limits on connections. A client is an IP address; every browser tab and script of one
    machine (all of 127.0.0.1) shares its cap, so the caps are well above what reviewers open."""

    per_client: int = 128
    connections: int = 256
    #: Seconds from a request's first byte to the end of its headers.
    header_timeout: float = 10.0
    #: Seconds a connection may stay silent with no request in flight (waitress's channel_timeout).
    idle_timeout: int = 30
    #: Seconds between checks of the timeouts (waitress's cleanup_interval).
    check_interval: int = 1


class _Request(HTTPRequestParser):
    """A request being received, with the time its first byte came."""

    def __init__(self, adj: Adjustments) -> None:
        super().__init__(adj)
        self.started = time.time()


class _Channel(HTTPChannel):
    parser_class = _Request
    #: Whether a whole request came on this connection: one that never sent any goes first.
    served = False

    def service(self) -> None:
        self.served = True
        super().service()

    def busy(self) -> bool:
        """A request queued or running, or an answer still being sent: never closed early."""
        return bool(self.requests) or bool(self.total_outbufs_len)

    def stalled(self, now: float, timeout: float) -> bool:
        """Headers begun more than `timeout` seconds ago and not finished."""
        r = self.request
        return (r is not None and not r.headers_finished and not self.requests
                and now - r.started > timeout)


class GuardedServer(TcpWSGIServer):
    """waitress's TCP server with the Guard's caps and header timeout (the idle timeout is
    waitress's own)."""

    channel_class = _Channel
    guard = Guard()

    def _open(self) -> list[_Channel]:
        return [c for c in list(self._map.values()) if isinstance(c, _Channel) and c.connected]

    def handle_accept(self) -> None:
        before = set(self._map)
        super().handle_accept()
        for fd in set(self._map) - before:
            channel = self._map[fd]
            if isinstance(channel, _Channel):
                self._shed(channel.addr[0] if channel.addr else None)

    def _shed(self, client: Any) -> None:
        channels = self._open()
        mine = [c for c in channels if c.addr and c.addr[0] == client]
        self._close_idlest(mine, len(mine) - self.guard.per_client, f"client {client}")
        channels = self._open()
        self._close_idlest(channels, len(channels) - self.guard.connections, "the server")

    def _close_idlest(self, channels: list[_Channel], n: int, whose: str) -> None:
        if n <= 0:
            return
        # Connections that never sent a whole request first, then the longest silent.
        idle = sorted((c for c in channels if not c.busy()),
                      key=lambda c: (c.served, c.last_activity))
        for c in idle[:n]:
            c.handle_close()
        log.info("closed %d idle connections: over the cap of %s", min(n, len(idle)), whose)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # the idle timeout
        for c in self._open():
            if c.stalled(now, self.guard.header_timeout):
                c.handle_close()


def make_server(app: Any, *, host: str, port: int, threads: int, max_request_body_size: int,
                guard: Guard = Guard()) -> GuardedServer | MultiSocketServer:
    """A guarded waitress server for `app` on host:port (as waitress.create_server makes one:
    one listening socket per address the host resolves to). ident replaces waitress's Server
    header, so no name or version of the stack shows."""
    adj = Adjustments(host=host, port=port, threads=threads, ident="workbench",
                      max_request_body_size=max_request_body_size, asyncore_use_poll=True,
                      clear_untrusted_proxy_headers=True, channel_timeout=guard.idle_timeout,
                      cleanup_interval=guard.check_interval,
                      # waitress stops accepting at this many; the guard sheds long before
                      connection_limit=guard.connections + guard.per_client)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map: dict = {}
    cls = type("Server", (GuardedServer,), {"guard": guard})
    servers = [cls(app, socket_map, True, None, dispatcher=dispatcher, adj=adj, sockinfo=info)
               for info in adj.listen]
    if len(servers) == 1:
        return servers[0]
    return MultiSocketServer(socket_map, adj, [(s.effective_host, s.effective_port)
                                               for s in servers], dispatcher, servers[-1].log_info)
