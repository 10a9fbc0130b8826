# A plain-socket IRC client for the end-to-end tests of IRC bridges, with no IRC library, so
# what goes out is exactly what the test wrote (lines checked: CR LF, at most 512 bytes). It
# uses asyncio streams on the loop of the slixmpp clients, so XMPP stanzas keep flowing while
# the IRC side waits: every method blocks, bounded, by running a coroutine through
# `runner(awaitable, timeout)` (a harness Client's .run, or any loop.run_until_complete over
# asyncio.wait_for). A background reader keeps every line received (IrcPeer.lines, sliced by
# mark()/since() like muc_helpers.RawLog) and answers PING. ngircd.py is its server.
# Usage: peer = IrcPeer(client.run, irc.host, irc.port, "alice").connect();
#        peer.join("#test"); m = peer.mark(); ...; peer.expect(line_is("PRIVMSG", "#test"))
import asyncio
import contextlib
import re
from typing import NamedTuple

MAX_LINE = 512            # bytes, CR LF included (RFC 2812 2.3)
_TAG_ESCAPES = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class IrcLine(NamedTuple):
    """One line received: prefix ('' if none), its nick (None for a server or no prefix),
    command (upper case; numerics as 3 digits), params (the trailing one without its ':'),
    IRCv3 tags, and raw (as decoded, without CR LF)."""
    prefix: str
    nick: object
    command: str
    params: tuple
    tags: dict = None
    raw: str = ""

    @property
    def text(self):
        """The last parameter (a message's text), '' if none."""
        return self.params[-1] if self.params else ""


def parse_line(raw):
    """An IrcLine from one line (bytes are decoded as UTF-8, errors replaced): `@tags`,
    `:prefix`, command, middle parameters and a `:trailing` one."""
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8", "replace")
    raw = raw.rstrip("\r\n")
    rest, tags, prefix = raw, {}, ""
    if rest.startswith("@"):
        tag_text, _, rest = rest[1:].partition(" ")
        for item in filter(None, tag_text.split(";")):
            key, _, value = item.partition("=")
            tags[key] = re.sub(r"\\(.?)", lambda m: _TAG_ESCAPES.get(m[1], m[1]), value)
        rest = rest.lstrip(" ")
    if rest.startswith(":"):
        prefix, _, rest = rest[1:].partition(" ")
        rest = rest.lstrip(" ")
    head, sep, trailing = rest.partition(" :")
    words = head.split()
    params = tuple(words[1:]) + ((trailing,) if sep else ())
    nick = None
    if prefix and ("!" in prefix or "@" in prefix or "." not in prefix):
        nick = prefix.split("!", 1)[0].split("@", 1)[0]
    return IrcLine(prefix, nick, words[0].upper() if words else "", params, tags, raw)


def same(a, b):
    """Nicks and channels compared as ngIRCd does (CASEMAPPING=ascii)."""
    return None not in (a, b) and a.translate(_ASCII_LOWER) == b.translate(_ASCII_LOWER)


def line_is(command, *params, nick=None):
    """A predicate for expect(): this command, its first parameters equal to `params` (None:
    any; compared as nicks and channels, ASCII case-insensitively: test exact text with a
    lambda), and sent by `nick` if given."""
    def pred(line):
        return (line.command == command.upper() and len(line.params) >= len(params)
                and all(p is None or same(p, q) for p, q in zip(params, line.params))
                and (nick is None or same(nick, line.nick)))
    return pred


def _refusal(command, *names):
    """A predicate for the server's refusal of `command` about one of `names`: an ERROR, or
    a 4xx/5xx numeric naming the command or one of them after our nick."""
    def pred(line):
        if line.command == "ERROR":
            return True
        return (len(line.command) == 3 and line.command[0] in "45" and line.command.isdigit()
                and any(same(p, n) for p in line.params[1:] for n in (command,) + names))
    return pred


def _reason(reason):
    return f" :{reason}" if reason else ""


class IrcError(Exception):
    """The server refused what the test asked: .line is its answer."""

    def __init__(self, line, what):
        super().__init__(f"{what}: {line.raw}")
        self.line = line


class IrcPeer:
    """One IRC user, blocking and bounded (`timeout`: the default of every wait). .lines has
    every line received, in order, never removed; .sent every line sent; .nickname is the
    current nick (followed through NICK); .server and .isupport come from 001 and 005.
    Methods that the server echoes (join, topic, kick, nick, part) wait for the echo and
    raise IrcError on a refusal; privmsg, action, notice and send only wait until written."""

    def __init__(self, runner, host, port, nick, user=None, realname=None, timeout=10.0,
                 password=None, encoding="utf-8"):
        self.runner, self.host, self.port, self.timeout = runner, host, port, timeout
        self.encoding = encoding  # of what it sends and reads (an old client: "latin-1")
        self.password = password
        self.nickname, self.user = nick, user or nick
        self.realname = realname or f"Legate e2e {nick}"
        self.lines, self.sent = [], []
        self.server, self.isupport = None, {}
        self.closed = False
        self._mark = 0
        self._reader = self._writer = self._task = self._changed = None

    async def _open(self):
        self._reader, self._writer = await asyncio.open_connection(
            self.host, self.port, limit=1 << 20)
        self._changed = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self):
        """Keep every line, answer PING, follow our nick; at EOF mark the peer closed."""
        writer = self._writer
        try:
            while data := await self._reader.readline():
                line = parse_line(data.decode(self.encoding, "replace"))
                if not line.command:
                    continue
                self.lines.append(line)
                if line.command == "PING":
                    pong = "PONG :" + line.text if line.params else "PONG"
                    writer.write(self._encode(pong, self.encoding))
                    self.sent.append(pong)
                elif line.command == "001" and line.params:
                    self.server, self.nickname = line.prefix, line.params[0]
                elif line.command == "005":
                    for token in line.params[1:-1]:
                        key, _, value = token.partition("=")
                        self.isupport[key] = value
                elif line.command == "NICK" and same(line.nick, self.nickname) and line.params:
                    self.nickname = line.params[0]
                self._changed.set()
        except (OSError, ValueError):
            pass
        finally:
            self.closed = True
            self._changed.set()

    async def _write(self, data):
        self._writer.write(data)
        await self._writer.drain()

    async def _wait(self, pred, start, timeout, what):
        loop = asyncio.get_running_loop()
        deadline, i = loop.time() + timeout, start
        while True:
            for line in self.lines[i:]:
                i += 1
                if pred(line):
                    return line
            if self.closed:
                raise ConnectionError(f"{self.nickname}: connection closed before {what}; "
                                      f"received:{self._show(start)}")
            if loop.time() >= deadline:
                raise TimeoutError(f"{self.nickname}: no {what} within {timeout:g} s; "
                                   f"received:{self._show(start)}")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), deadline - loop.time())

    def _show(self, start, last=30):
        lines = self.lines[start:]
        more = f"\n  [... {len(lines) - last} earlier]" if len(lines) > last else ""
        return more + "".join(f"\n  {line.raw}" for line in lines[-last:]) or " nothing"

    @staticmethod
    def _encode(line, encoding="utf-8"):
        """line + CR LF, refused (ValueError) if it is not one valid IRC line."""
        data = line.encode(encoding) + b"\r\n"
        if not line or any(c in line for c in "\r\n\0"):
            raise ValueError(f"not one IRC line: {line!r}")
        if len(data) > MAX_LINE:
            raise ValueError(f"IRC line of {len(data)} bytes (max {MAX_LINE}): {line[:60]!r}...")
        return data

    def _exchange(self, lines, ok, fail, what, timeout=None, start=None):
        """Send lines, wait for the first line after them that is ok (returned) or fail
        (IrcError)."""
        t = timeout or self.timeout
        data = b"".join(self._encode(line, self.encoding) for line in lines)
        start = len(self.lines) if start is None else start

        async def go():
            await self._write(data)
            self.sent.extend(lines)
            return await self._wait(lambda l: ok(l) or fail(l), start, t, what)
        line = self.runner(go(), t + 2)
        if not ok(line):
            raise IrcError(line, what)
        return line

    def connect(self, timeout=None):
        """Connect, register (NICK, USER) and wait for the welcome (001); IrcError on a
        refusal (e.g. 433, nick in use), the connection then closed. Returns self."""
        t = timeout or self.timeout
        self.runner(self._open(), t)
        try:
            self._exchange(([f"PASS :{self.password}"] if self.password else [])
                           + [f"NICK {self.nickname}", f"USER {self.user} 0 * :{self.realname}"],
                           line_is("001"), _refusal("NICK", self.nickname), "welcome (001)", t)
        except BaseException:
            self.close()
            raise
        return self

    def mark(self):
        """From now on, expect() looks only at lines received after this; returns the
        position (for since() or expect(since=))."""
        self._mark = len(self.lines)
        return self._mark

    def since(self, mark=None):
        """The lines received since `mark` (None: the last mark())."""
        return self.lines[self._mark if mark is None else mark:]

    def expect(self, pred, timeout=None, what="a matching line", since=None):
        """The first line since the last mark() (or `since`) for which pred(line) is true,
        waiting for it; TimeoutError (ConnectionError if the server closed) listing what
        came instead."""
        t = timeout or self.timeout
        start = self._mark if since is None else since
        return self.runner(self._wait(pred, start, t, what), t + 2)

    def send(self, line, timeout=None):
        """Send one raw line (no CR LF; at most 510 bytes of UTF-8)."""
        data = self._encode(line, self.encoding)

        async def go():
            await self._write(data)
            self.sent.append(line)
        self.runner(go(), timeout or self.timeout)

    def privmsg(self, target, text):
        self.send(f"PRIVMSG {target} :{text}")

    def action(self, target, text):
        """A CTCP ACTION (/me)."""
        self.send(f"PRIVMSG {target} :\x01ACTION {text}\x01")

    def notice(self, target, text):
        self.send(f"NOTICE {target} :{text}")

    def join(self, channel, key=None, timeout=None):
        """JOIN and wait for the end of NAMES (366); returns the names with their prefixes
        (e.g. ['@alice', 'bob'])."""
        start = len(self.lines)
        self._exchange([f"JOIN {channel}" + (f" {key}" if key else "")],
                       line_is("366", None, channel), _refusal("JOIN", channel),
                       f"end of NAMES of {channel}", timeout, start)
        return [name for line in self.lines[start:] if line.command == "353"
                and len(line.params) >= 4 and same(line.params[2], channel)
                for name in line.text.split()]

    def topic(self, channel, text, timeout=None):
        return self._exchange([f"TOPIC {channel} :{text}"],
                              line_is("TOPIC", channel, nick=self.nickname),
                              _refusal("TOPIC", channel), f"TOPIC echo on {channel}", timeout)

    def kick(self, channel, nick, reason=None, timeout=None):
        return self._exchange([f"KICK {channel} {nick}" + _reason(reason)],
                              line_is("KICK", channel, nick, nick=self.nickname),
                              _refusal("KICK", channel, nick), f"KICK echo of {nick}", timeout)

    def nick(self, new, timeout=None):
        """Change nick; .nickname follows once the server confirms."""
        old = self.nickname
        return self._exchange([f"NICK {new}"], line_is("NICK", new, nick=old),
                              _refusal("NICK", new), f"NICK echo {old} -> {new}", timeout)

    def part(self, channel, reason=None, timeout=None):
        return self._exchange([f"PART {channel}" + _reason(reason)],
                              line_is("PART", channel, nick=self.nickname),
                              _refusal("PART", channel), f"PART echo of {channel}", timeout)

    def quit(self, reason=None, timeout=None):
        """QUIT, wait for the server's ERROR (or its closing), then close."""
        try:
            with contextlib.suppress(ConnectionError):
                self._exchange(["QUIT" + _reason(reason)], line_is("ERROR"),
                               lambda line: False, "ERROR after QUIT", timeout)
        finally:
            self.close()

    def close(self):
        """Drop the connection and the reader (best effort, bounded)."""
        task, writer, self._task, self._writer = self._task, self._writer, None, None
        if writer is None:
            return

        async def shut():
            writer.close()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        try:
            self.runner(shut(), 3)
        except Exception:  # noqa: BLE001 - the loop may be gone already
            writer.transport.abort()
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
