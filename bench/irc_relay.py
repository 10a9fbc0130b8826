#!/usr/bin/python3
# legate-irc's relay throughput and latency, through a real Prosody 0.12 and a real ngIRCd
# (both private, from tests/e2e), and the same job for Debian's biboumi when it is installed
# (--biboumi, configured through its ad-hoc command: the port, no TLS, no throttle). One XMPP
# user (a raw client, bench/raw_xmpp.py, so the load generator is cheap) joins
# #bench%127.0.0.1@<bridge>; a raw IRC client in #bench sends N channel messages as fast as
# the server takes them (IRC → XMPP), then the XMPP user sends N (XMPP → IRC); then, once
# the user's copies of those are all in, 2,000 each way at 500/s for the latency (with a
# plain IRC client in the channel for ngIRCd's own share). Each text carries its send time: latency p50/p99 at the
# other end. Printed per direction: messages/s, latency, CPU µs per message of the bridge, Prosody and ngIRCd (and the load generator),
# CPU share of each over the run (who saturates), the bridge's RSS, the first join's time.
#
#   /usr/bin/python3 bench/irc_relay.py BUILD_DIR [--messages 20000] [--biboumi]
import argparse
import asyncio
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import harness  # noqa: E402
from ngircd import Ngircd  # noqa: E402
from prosody import Prosody  # noqa: E402
from raw_xmpp import RawXmpp  # noqa: E402

CHANNEL = "#bench"
PACED, PACED_COUNT = 500, 2000  # msg/s and messages of the latency runs
SECRET = "bench-secret"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def own_cpu():
    t = os.times()
    return t.user + t.system


class Arrivals:
    """Counts texts 'TAG <n> <ns>' in a byte stream (split anywhere) and their latencies."""

    def __init__(self, tag):
        self.pattern = re.compile(rb"%s (\d+) (\d+)" % tag.encode())
        self.tail = b""
        self.count = 0
        self.latencies = []

    def feed(self, chunk):
        now = time.monotonic_ns()
        data = self.tail + chunk
        last = 0
        for m in self.pattern.finditer(data):
            if m.end() == len(data):
                break  # the number may go on in the next chunk
            self.count += 1
            self.latencies.append((now - int(m.group(2))) / 1e6)
            last = m.end()
        self.tail = data[max(last, len(data) - 64):]


class IrcSide:
    """A raw IRC client in #bench: sends PRIVMSGs, counts the bridge's."""

    def __init__(self, irc, nick):
        self.irc, self.nick = irc, nick
        self.arrivals = None

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection(self.irc.host, self.irc.port)
        self.writer.write(f"NICK {self.nick}\r\nUSER {self.nick} 0 * :{self.nick}\r\n".encode())
        await self._until(rb" 001 ")
        self.writer.write(f"JOIN {CHANNEL}\r\n".encode())
        await self._until(rb" 366 ")
        self.task = asyncio.ensure_future(self._read())
        return self

    async def _until(self, marker):
        buf = b""
        while marker not in buf:
            chunk = await asyncio.wait_for(self.reader.read(65536), 10)
            if not chunk:
                raise ConnectionError("IRC closed")
            buf += chunk
            if b"PING" in chunk:
                token = chunk.split(b"PING", 1)[1].split(b"\r\n", 1)[0]
                self.writer.write(b"PONG" + token + b"\r\n")

    async def _read(self):
        while True:
            chunk = await self.reader.read(262144)
            if not chunk:
                return
            if b"PING :" in chunk:
                for token in re.findall(rb"^PING (:\S+)", chunk, re.M):
                    self.writer.write(b"PONG " + token + b"\r\n")
            if self.arrivals:
                self.arrivals.feed(chunk)

    async def send_all(self, count, batch=200):
        for start in range(0, count, batch):
            now = time.monotonic_ns()
            self.writer.write(b"".join(b"PRIVMSG %s :ib %d %d\r\n" % (CHANNEL.encode(), i, now)
                                       for i in range(start, min(count, start + batch))))
            await self.writer.drain()


async def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.01)


class Measure:
    def __init__(self, pids):
        self.pids = pids

    def __enter__(self):
        self.t0, self.gen0 = time.monotonic(), own_cpu()
        self.cpu0 = {k: cpu_seconds(p) for k, p in self.pids.items()}
        return self

    def __exit__(self, *exc):
        self.elapsed = time.monotonic() - self.t0
        self.cpu = {k: cpu_seconds(p) - self.cpu0[k] for k, p in self.pids.items()}
        self.cpu["generator"] = own_cpu() - self.gen0


async def relay(label, gw_jid, nick, pids, prosody, irc, count):
    xmpp = await RawXmpp("127.0.0.1", prosody.c2s_port, prosody.domain, "bench", "bench-pw",
                         resource=label).connect()
    room = f"{CHANNEL}%127.0.0.1@{gw_jid}"
    feeder = await IrcSide(irc, f"feed{label[:4]}").connect()
    t = time.monotonic()
    xmpp.send(f"<presence to='{room}/{nick}'><x xmlns='http://jabber.org/protocol/muc'>"
              "<history maxchars='0'/></x></presence>")
    await xmpp.until("<subject", timeout=30)  # the join sequence ends with the subject
    join_ms = (time.monotonic() - t) * 1000
    arrivals = Arrivals("ib")
    xmpp.on_data = arrivals.feed
    reader = asyncio.ensure_future(xmpp.run())
    await asyncio.sleep(0.5)
    results = {"join ms": join_ms}
    with Measure(pids) as m:
        await feeder.send_all(count)
        await wait_for(lambda: arrivals.count >= count, 300, f"{label}: IRC→XMPP")
    results["irc→xmpp"] = (m, sorted(arrivals.latencies))
    back = Arrivals("xb")
    feeder.arrivals = back
    reflections = Arrivals("xb")  # the user's copies of its messages, on the XMPP side
    xmpp.on_data = lambda chunk: (arrivals.feed(chunk), reflections.feed(chunk))
    with Measure(pids) as m:
        for start in range(0, count, 200):
            now = time.monotonic_ns()
            xmpp.send("".join(f"<message to='{room}' type='groupchat'><body>xb {i} {now}</body>"
                              "</message>" for i in range(start, min(count, start + 200))))
            await xmpp.drain()
        await wait_for(lambda: back.count >= count, 300, f"{label}: XMPP→IRC")
    results["xmpp→irc"] = (m, sorted(back.latencies))
    # The reflections may still be on their way (Prosody is the bottleneck): the latency
    # runs start once they are all in, or their first messages would queue behind them.
    await wait_for(lambda: reflections.count >= count, 300, f"{label}: reflections")
    xmpp.on_data = arrivals.feed
    results["rss MiB"] = rss_mib(pids["bridge"])
    # A plain IRC client in the channel (joined after the bursts): what ngIRCd alone does to
    # the latency, as the same lines reach it and the bridge.
    watcher = await IrcSide(irc, f"watch{label[:4]}").connect()
    # Latency at a rate every bridge keeps up with (PACED msg/s, 10 per tick): no queueing.
    for direction, counter, send in (
            ("irc→xmpp paced", arrivals, lambda i, now: feeder.writer.write(
                b"PRIVMSG %s :ib %d %d\r\n" % (CHANNEL.encode(), i, now))),
            ("xmpp→irc paced", back, lambda i, now: xmpp.send(
                f"<message to='{room}' type='groupchat'><body>xb {i} {now}</body></message>"))):
        counter.count, counter.latencies = 0, []
        direct = None
        if direction == "irc→xmpp paced":
            direct = watcher.arrivals = Arrivals("ib")
        for tick in range(PACED_COUNT // 10):
            now = time.monotonic_ns()
            for i in range(tick * 10, tick * 10 + 10):
                send(i, now)
            await asyncio.sleep(10 / PACED)
        await wait_for(lambda: counter.count >= PACED_COUNT, 60, f"{label}: {direction}")
        results[direction] = sorted(counter.latencies)
        if direct is not None:
            await wait_for(lambda: direct.count >= PACED_COUNT, 60, f"{label}: ngIRCd alone")
            results["ngircd alone"] = sorted(direct.latencies)
            watcher.arrivals = None
    reader.cancel()
    feeder.task.cancel()
    watcher.task.cancel()
    xmpp.close()
    feeder.writer.close()
    watcher.writer.close()
    return results


def percentiles(lat):
    if not lat:
        return float("nan"), float("nan")
    return statistics.median(lat), lat[int(len(lat) * 0.99)]


def report(label, results, count):
    print(f"## {label}: first join {results['join ms']:.0f} ms, bridge RSS "
          f"{results['rss MiB']:.1f} MiB")
    for direction in ("irc→xmpp paced", "xmpp→irc paced"):
        p50, p99 = percentiles(results[direction])
        print(f"{direction} at {PACED} msg/s: latency p50 {p50:.2f} ms p99 {p99:.2f} ms")
        if direction == "irc→xmpp paced":
            p50, p99 = percentiles(results["ngircd alone"])
            print(f"  the same lines to a plain IRC client in the channel (ngIRCd alone): "
                  f"p50 {p50:.2f} ms p99 {p99:.2f} ms")
    for direction in ("irc→xmpp", "xmpp→irc"):
        m, lat = results[direction]
        rate = count / m.elapsed
        p50, p99 = percentiles(lat)
        cpu = ", ".join(f"{k} {v / count * 1e6:.0f} µs ({v / m.elapsed * 100:.0f}%)"
                        for k, v in m.cpu.items())
        print(f"{direction}: {rate:,.0f} msg/s (latency of that burst p50 {p50:.0f} ms, p99 "
              f"{p99:.0f} ms); "
              f"CPU per message: {cpu}", flush=True)


BIBOUMI = "biboumi.localhost"
COMMANDS = "http://jabber.org/protocol/commands"
XDATA = "jabber:x:data"


def start_biboumi(prosody):
    """Debian's biboumi on the bench's Prosody (component biboumi.localhost), its database
    (history on, as shipped) in the temp dir; the process."""
    cfg = os.path.join(prosody.tmp, "biboumi.cfg")
    with open(cfg, "w") as f:
        f.write(f"hostname={BIBOUMI}\npassword={SECRET}\nxmpp_server_ip=127.0.0.1\n"
                f"port={prosody.component_port}\nadmin=bench@{prosody.domain}\n"
                f"db_name={os.path.join(prosody.tmp, 'biboumi.sqlite')}\nidentd_port=0\n"
                "log_level=2\npolicy_directory=/etc/biboumi\nrealname_customization=true\n")
    proc = harness._spawn(["/usr/bin/biboumi", cfg], os.path.join(prosody.tmp, "biboumi.log"),
                          prosody.tmp)
    return proc


def configure_biboumi(client, irc):
    """The ad-hoc 'configure' of server 127.0.0.1: its plain port, no TLS port, no throttle."""
    import xml.etree.ElementTree as ET
    to = f"127.0.0.1@{BIBOUMI}"
    iq = client.xmpp.make_iq_set(ito=to)
    ET.SubElement(iq.xml, f"{{{COMMANDS}}}command", node="configure", action="execute")
    reply = client.run(iq.send(timeout=10), 11)
    command = reply.xml.find(f"{{{COMMANDS}}}command")
    fields = {f.get("var") for f in command.iter(f"{{{XDATA}}}field")}
    print(f"# biboumi's configure form: {sorted(v for v in fields if v)}", flush=True)
    iq = client.xmpp.make_iq_set(ito=to)
    cmd = ET.SubElement(iq.xml, f"{{{COMMANDS}}}command", node="configure",
                        sessionid=command.get("sessionid"), action="complete")
    x = ET.SubElement(cmd, f"{{{XDATA}}}x", type="submit")
    for var, values in (("ports", [str(irc.port)]), ("tls_ports", []),
                        ("throttle_limit", ["-1"]), ("verify_cert", ["false"])):
        if var in fields:
            field = ET.SubElement(x, f"{{{XDATA}}}field", var=var)
            for v in values:
                ET.SubElement(field, f"{{{XDATA}}}value").text = v
    reply = client.run(iq.send(timeout=10), 11)
    print(f"# biboumi configured: {reply.xml.find(f'{{{COMMANDS}}}command').get('status')}",
          flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--biboumi", action="store_true", help="the same with Debian's biboumi")
    args = parser.parse_args()
    binary = os.path.join(args.build_dir, "examples", "irc", "legate-irc")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    extra = (f'Component "{BIBOUMI}"\n    component_secret = "{SECRET}"\n'
             if args.biboumi else "")
    with Prosody(extra_global="allow_unencrypted_plain_auth = true\n",
                 extra_config=extra) as prosody, Ngircd() as irc:
        prosody.register("bench", "bench-pw")
        prosody.start()
        irc.start()
        gateway = harness.Gateway(binary, prosody, log_level="warn").start()
        client = harness.Client(prosody, "bench", "bench-pw", resource="setup", timeout=10)
        client.connect()
        harness.wait_for_gateway(client, gateway, 10)
        from xmpp_helpers import register_set
        register_set(client, prosody.component, {"server": "127.0.0.1", "port": str(irc.port),
                                                 "nick": "bench", "throttle": "0"})
        time.sleep(1.0)
        client.close()
        pids = {"bridge": gateway.proc.pid, "prosody": prosody.proc.pid, "ngircd": irc.proc.pid}
        results = loop.run_until_complete(
            relay("legate-irc", prosody.component, "bench", pids, prosody, irc, args.messages))
        report("legate-irc", results, args.messages)
        gateway.stop()
        if not args.biboumi:
            return
        proc = start_biboumi(prosody)
        try:
            client = harness.Client(prosody, "bench", "bench-pw", resource="setup2", timeout=10)
            client.connect()
            harness.wait_until(lambda: client.run(client.xmpp["xep_0199"].ping(BIBOUMI, timeout=2), 3)
                               is not None, 15, 0.5, "biboumi answers")
            configure_biboumi(client, irc)
            client.close()
            pids = {"bridge": proc.pid, "prosody": prosody.proc.pid, "ngircd": irc.proc.pid}
            results = loop.run_until_complete(
                relay("biboumi", BIBOUMI, "bbench", pids, prosody, irc, args.messages))
            report("biboumi", results, args.messages)
        finally:
            harness._terminate(proc, 10)


if __name__ == "__main__":
    main()
