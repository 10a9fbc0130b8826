# slixmpp client side of the end-to-end harness: one shared asyncio loop and a blocking
# Client facade with hard timeouts (split out of harness.py, which re-exports it).
import asyncio
import atexit
import time

import slixmpp

_loop = None


def event_loop():
    """The asyncio loop shared by all Clients, so that while one waits, all
    make progress (e.g. two users messaging). slixmpp 1.8.3 binds futures to
    asyncio.get_event_loop() when constructed: keep exactly one current loop."""
    global _loop
    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_loop)
        atexit.register(_close_loop, _loop)
    return _loop


def _close_loop(loop):
    if not loop.is_closed():
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()


class Client:
    """A slixmpp ClientXMPP on the shared event_loop(), with blocking helpers
    that each carry a hard timeout. Plain TCP to 127.0.0.1, never STARTTLS
    (SCRAM-SHA-1 works unencrypted). IQ helpers raise IqError on an error
    reply, IqTimeout / asyncio.TimeoutError when nothing comes back."""

    PLUGINS = ("xep_0030", "xep_0199", "xep_0092")

    def __init__(self, prosody, user, password, resource="e2e", timeout=10.0, plugins=()):
        self.address = ("127.0.0.1", prosody.c2s_port)
        self.jid, self.password = f"{user}@{prosody.domain}/{resource}", password
        self.timeout = timeout
        self.plugins = list(self.PLUGINS) + list(plugins)
        self.loop = event_loop()
        self.xmpp = None

    def run(self, aw, timeout=None):
        """Run a coroutine/future on the shared loop, bounded by timeout."""
        return self.loop.run_until_complete(asyncio.wait_for(aw, timeout or self.timeout))

    def connect(self, timeout=None):
        """(Re)connect with a fresh ClientXMPP; returns once the session has
        started (initial presence sent, roster fetched)."""
        self._drop()
        self.xmpp = xmpp = slixmpp.ClientXMPP(self.jid, self.password)
        for p in self.plugins:
            xmpp.register_plugin(p)
        started = self.loop.create_future()

        async def on_start(_):
            xmpp.send_presence()
            await xmpp.get_roster()
            started.done() or started.set_result(True)

        def on_failed_auth(_):
            started.done() or started.set_exception(
                RuntimeError(f"authentication failed for {self.jid}"))
        xmpp.add_event_handler("session_start", on_start)
        xmpp.add_event_handler("failed_auth", on_failed_auth)
        xmpp.connect(address=self.address, force_starttls=False, disable_starttls=True)
        try:
            self.run(started, timeout)
        except BaseException:
            self._drop()
            raise
        return self

    def _drop(self):
        """Close and forget the current stream (best effort, bounded)."""
        xmpp, self.xmpp = self.xmpp, None
        if xmpp is None:
            return
        xmpp.cancel_connection_attempt()   # stops slixmpp's own retry loop
        if xmpp.transport is not None:
            try:
                self.run(xmpp.disconnect(wait=1.0), 3.0)
            except Exception:  # noqa: BLE001 - the server may be gone already
                xmpp.abort()
        # Each stream object owns a send-filter task; cancel it, or asyncio
        # warns "Task was destroyed but it is pending!" when it is collected.
        filters = getattr(xmpp, "_run_out_filters", None)
        if filters is not None and not filters.done():
            filters.cancel()
            self.loop.run_until_complete(asyncio.sleep(0))

    def close(self):
        if not self.loop.is_closed():
            self._drop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _iq(self, iq, timeout):
        t = timeout or self.timeout
        return self.run(iq.send(timeout=t), t + 1)

    def disco_info(self, jid, node=None, timeout=None):
        """XEP-0030; returns {'identities': [(category, type, name)], 'features': set}."""
        iq = self.xmpp.make_iq_get("http://jabber.org/protocol/disco#info", ito=jid)
        if node:
            iq["disco_info"]["node"] = node
        info = self._iq(iq, timeout)["disco_info"]
        return {"identities": sorted((c, t, n or "") for c, t, _, n in info["identities"]),
                "features": set(info["features"])}

    def disco_items(self, jid, node=None, timeout=None):
        """XEP-0030; returns [(jid, node, name)]."""
        iq = self.xmpp.make_iq_get("http://jabber.org/protocol/disco#items", ito=jid)
        if node:
            iq["disco_items"]["node"] = node
        items = self._iq(iq, timeout)["disco_items"]["items"]
        return [(str(j), n or "", name or "") for j, n, name in items]

    def ping(self, jid, timeout=None):
        """XEP-0199; returns the round-trip time in seconds."""
        iq = self.xmpp.make_iq_get(ito=jid)
        iq.enable("ping")
        t0 = time.monotonic()
        self._iq(iq, timeout)
        return time.monotonic() - t0

    def version(self, jid, timeout=None):
        """XEP-0092; returns {'name', 'version', 'os'} ('' when absent)."""
        sv = self._iq(self.xmpp.make_iq_get("jabber:iq:version", ito=jid),
                      timeout)["software_version"]
        return {k: sv[k] or "" for k in ("name", "version", "os")}

