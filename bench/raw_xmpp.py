# A minimal XMPP client on asyncio streams for benchmarks: SASL PLAIN over a loopback c2s
# stream (the bench's private Prosody allows it), resource binding, then raw writes and a
# reader that hands every chunk to a callback. No XML parsing: a load generator and
# counter that costs far less than slixmpp, so the measured system is the bottleneck.
import asyncio
import base64

STREAM = ("<?xml version='1.0'?><stream:stream to='{domain}' xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")


class RawXmpp:
    def __init__(self, host, port, domain, user, password, resource="bench"):
        self.address, self.domain = (host, port), domain
        self.user, self.password, self.resource = user, password, resource
        self.reader = self.writer = None
        self.buffer = b""
        self.on_data = None  # callback(bytes) once running

    async def _until(self, marker, timeout=10):
        async def go():
            while marker not in self.buffer:
                chunk = await self.reader.read(65536)
                if not chunk:
                    raise ConnectionError(f"stream closed waiting for {marker!r}")
                self.buffer += chunk
            at = self.buffer.index(marker) + len(marker)
            got, self.buffer = self.buffer[:at], self.buffer[at:]
            return got
        return await asyncio.wait_for(go(), timeout)

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection(*self.address)
        self.writer.write(STREAM.format(domain=self.domain).encode())
        await self._until(b"</stream:features>")
        token = base64.b64encode(b"\0" + self.user.encode() + b"\0" + self.password.encode())
        self.writer.write(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"
                          + token + b"</auth>")
        reply = await self._until(b">")
        if b"success" not in reply:
            raise ConnectionError(f"SASL refused: {reply!r}")
        self.writer.write(STREAM.format(domain=self.domain).encode())
        await self._until(b"</stream:features>")
        self.writer.write(f"<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:"
                          f"xmpp-bind'><resource>{self.resource}</resource></bind></iq>".encode())
        await self._until(b"</iq>")
        self.writer.write(b"<presence/>")
        return self

    def send(self, data):
        self.writer.write(data.encode() if isinstance(data, str) else data)

    async def drain(self):
        await self.writer.drain()

    async def until(self, marker, timeout=10):
        """Everything up to and including `marker` (before run() takes over the reader)."""
        return await self._until(marker.encode() if isinstance(marker, str) else marker, timeout)

    async def run(self):
        """Hands every chunk to on_data until the stream ends."""
        if self.buffer and self.on_data:
            self.on_data(self.buffer)
        self.buffer = b""
        while True:
            chunk = await self.reader.read(262144)
            if not chunk:
                return
            if self.on_data:
                self.on_data(chunk)

    def close(self):
        if self.writer:
            self.writer.close()
