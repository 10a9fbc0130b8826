#!/usr/bin/python3
# The reference point for legate-bench-msg (bench/README.md compares the two): slixmpp's ComponentXMPP (slidge's engine)
# doing the same stanza work as legate-echo for each chat message, with none of Legate's
# storage. For every chat message to a contact it sends "composing", then after --delay-ms
# (200, like the echo network) a displayed marker, the reply "Echo (mID): body" with
# <reply id=…/>, and a 👍 reaction, all built with slixmpp's stanza plugins (XEP-0085,
# XEP-0333, XEP-0461, XEP-0444, XEP-0184). At start-up it shows every user of the database
# as "Connected to the echo network" and alice/bob/carol online, as legate-echo does.
#
# It takes legate-echo's command line, so that legate-bench-msg can spawn it:
#   legate-bench-msg --spawn bench/slixmpp_echo.py --users 100 --contacts 10 ...
# (needs /usr/bin/python3 with Debian's python3-slixmpp 1.8.3, which .ci/install-deps installs).
import argparse
import asyncio
import logging
import random
import signal
import sqlite3
import sys

import slixmpp
from slixmpp.componentxmpp import ComponentXMPP

CONTACTS = ("alice", "bob", "carol")


class Echo(ComponentXMPP):
    def __init__(self, args, users):
        super().__init__(args.jid, args.secret, args.host, args.port)
        self.delay = args.delay_ms / 1000
        self.users = users
        for plugin in ("xep_0030", "xep_0085", "xep_0184", "xep_0333", "xep_0359", "xep_0444",
                       "xep_0461"):
            self.register_plugin(plugin)
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)

    def on_start(self, _):
        for user in self.users:
            self.send_presence(pto=user, pfrom=self.boundjid.bare,
                               pstatus="Connected to the echo network")
            for contact in CONTACTS:
                self.send_presence(pto=user, pfrom=f"{contact}@{self.boundjid.bare}",
                                   pstatus="Echoing everything")

    def on_message(self, msg):
        if msg["type"] not in ("chat", "normal") or not msg["body"]:
            return
        if msg["to"].bare == self.boundjid.bare:
            return
        composing = self.make_message(mto=msg["from"].bare, mfrom=msg["to"].bare, mtype="chat")
        composing["chat_state"] = "composing"
        composing.send()
        legacy = f"m{random.randrange(1000000000)}"
        asyncio.get_event_loop().create_task(self.echo(msg, legacy))

    async def echo(self, msg, legacy):
        await asyncio.sleep(self.delay)
        user, contact = msg["from"].bare, msg["to"].bare
        displayed = self.make_message(mto=user, mfrom=contact, mtype="chat")
        displayed["displayed"]["id"] = msg["id"]
        displayed.send()
        reply = self.make_message(mto=user, mfrom=contact, mtype="chat",
                                  mbody=f"Echo ({legacy}): {msg['body']}")
        reply["id"] = self.new_id()
        reply["reply"]["id"] = msg["id"]
        reply["reply"]["to"] = user
        reply["chat_state"] = "active"
        reply["markable"]  # adds <markable/>
        reply["request_receipt"] = True
        reply.send()
        reaction = self.make_message(mto=user, mfrom=contact, mtype="chat")
        reaction["id"] = self.new_id()
        reaction["reactions"]["id"] = msg["id"]
        reaction["reactions"]["values"] = ["👍"]
        reaction.send()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--component.jid", dest="jid", required=True)
    ap.add_argument("--component.secret", dest="secret", required=True)
    ap.add_argument("--component.host", dest="host", default="127.0.0.1")
    ap.add_argument("--component.port", dest="port", type=int, default=5347)
    ap.add_argument("--log.level", dest="log_level", default="warn")
    ap.add_argument("--storage.path", dest="storage", required=True)
    ap.add_argument("--delay-ms", dest="delay_ms", type=float, default=200)
    args, _ = ap.parse_known_args()
    logging.basicConfig(level=logging.ERROR)
    db = sqlite3.connect(args.storage)
    users = [row[0] for row in db.execute("SELECT jid FROM users ORDER BY id")]
    db.close()
    xmpp = Echo(args, users)
    loop = asyncio.get_event_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: xmpp.disconnect(wait=False))
    xmpp.add_event_handler("disconnected", lambda _: loop.stop())
    xmpp.connect()
    loop.run_forever()


if __name__ == "__main__":
    sys.exit(main())
