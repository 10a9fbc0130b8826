#!/usr/bin/python3
# End-to-end test of the gateway's commands with legate-echo (two-factor registration)
# against a private Prosody 0.12: the XEP-0050 command list by access (stranger, user,
# admin); `register` as ad-hoc command (form, two-factor code form, note; welcome and the
# contacts' subscription requests); `contacts` and `find` as result tables, XEP-0055 and
# XEP-0100 giving the same; `preferences` (react off: echo without 👍, on again: 👍);
# session ids that are unknown, foreign or canceled; `unregister` with its confirmation;
# the same commands in chat (register with the code, help, contacts as a text table,
# abort); item-not-found and forbidden; exit 0 on SIGTERM.
# Usage: /usr/bin/python3 test_commands.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dir, LEGATE_E2E_DEBUG=1 traces slixmpp.
import asyncio
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from adhoc_helpers import (column, command_items, error_of, gateway_get,  # noqa: E402
                           gateway_prompt, run_command, search_get, search_set)
from xmpp_helpers import (Inbox, body_starts, reactions_of, register_get,  # noqa: E402
                          send_chat, send_message)

GW = "gw.localhost"
CODE = "123456"
TOTAL_TIMEOUT = 120       # hard cap on the run (cleanup may add up to ~20 s)
WAIT = 10                 # for each expected stanza or reply
USERS = ("admin", "dave", "erin", "stranger")
CONTACTS = {f"{u}@{GW}": f"{u.capitalize()} Echo" for u in ("alice", "bob", "carol")}
ALICE = f"alice@{GW}"
ANYONE = {"register", "info"}
USER = ANYONE | {"unregister", "preferences", "re-login", "contacts", "find"}
ADMIN = ANYONE | {"list-users", "delete-user", "loglevel"}
CONNECTED = "Connected to the echo network"
WELCOME = "Welcome to Legate Echo!"


class Run:
    def __init__(self, binary, prosody, checks):
        self.binary, self.prosody, self.checks = binary, prosody, checks
        self.clients, self.inbox, self.gateway = {}, {}, None

    def jid(self, user):
        return f"{user}@{self.prosody.domain}"

    def check(self, name, cond, detail=""):
        return self.checks.check(name, cond, detail)

    def attempt(self, name, fn, *args, **kwargs):
        return self.checks.attempt(name, fn, *args, **kwargs)

    def start_gateway(self):
        self.gateway = harness.Gateway(self.binary, self.prosody, extra_args=[
            "--echo.registration", "two-factor", "--echo.code", CODE,
            "--gateway.admins", self.jid("admin")]).start()
        client, gateway = self.clients["admin"], self.gateway

        def answered():
            if not gateway.running:
                raise harness.GiveUp(f"gateway exited with {gateway.proc.returncode}: "
                                     f"{harness.tail(gateway.log_path, 5)}")
            return client.ping(GW, timeout=2) is not None
        return self.attempt("gateway answers ping", harness.wait_until, answered, WAIT, 0.25,
                            f"ping answered by {GW}")

    def alive(self):
        if self.gateway is not None and not self.gateway.running:
            raise RuntimeError(f"the gateway died (exit {self.gateway.proc.returncode}): "
                               + harness.tail(self.gateway.log_path, 2).replace("\n", " | "))

    def expect(self, user, name, pred, frm=GW, kind="message"):
        """A check that a stanza from `frm` arrives; returns it or None."""
        return self.attempt(name, self.inbox[user].expect, kind, lambda s: (
            frm is None or s["from"].bare == frm) and pred(s), WAIT, name, self.alive)

    def command(self, user, name, node, fields=None, sessionid=None, action="execute",
                status=None):
        """A check that a command step is answered (with `status` if given); the reply."""
        reply = self.attempt(name, run_command, self.clients[user], GW, node, fields,
                             sessionid, action)
        if reply is not None and status and not self.check(
                f"{name}: status {status}", reply.status == status, f"got {reply}"):
            return None
        return reply

    def refused(self, name, condition, app, fn, *args):
        """A check that fn(*args) gets an error reply `condition` (and app condition)."""
        try:
            got = error_of(fn, *args)
        except Exception as e:  # noqa: BLE001 - e.g. no reply at all
            return self.check(name, False, harness.describe(e))
        return self.check(name, got is not None and got[0] == condition and (
            app is None or app in got[2]), "got a result" if got is None else f"got {got}")

    def items_are(self, name, user, expected):
        got = self.attempt(f"{name}: command list answered", command_items,
                           self.clients[user], GW)
        if got is not None:
            self.check(f"{name}: lists exactly {', '.join(sorted(expected))}", got == expected,
                       f"got {sorted(got)}")

    def registered(self, label, user, expected):
        info = self.attempt(f"{label}: XEP-0077 get answered", register_get,
                            self.clients[user], GW)
        if info is not None:
            self.check(f"{label}: {'' if expected else 'no '}<registered/>",
                       info["registered"] == expected, f"registered={info['registered']}")
        return info

    def sleep(self, seconds):
        self.clients["admin"].run(asyncio.sleep(seconds), seconds + 1)


def discovery(run):
    run.items_are("stranger (unregistered)", "stranger", ANYONE)
    run.items_are("admin (not a user)", "admin", ADMIN)
    info = run.attempt("disco#info of node 'register'", run.clients["stranger"].disco_info,
                       GW, "register")
    if info is not None:
        run.check("node 'register': automation/command-node 'Register', commands + x:data",
                  info["identities"] == [("automation", "command-node", "Register")] and {
                      "http://jabber.org/protocol/commands", "jabber:x:data"}
                  <= info["features"], f"got {info}")


def errors(run):
    stranger = run.clients["stranger"]
    run.refused("unknown node: item-not-found", "item-not-found", None, run_command,
                stranger, GW, "no-such-command")
    run.refused("stranger runs 'contacts': forbidden", "forbidden", None, run_command,
                stranger, GW, "contacts")
    run.refused("stranger runs 'list-users': forbidden", "forbidden", None, run_command,
                stranger, GW, "list-users")


def adhoc_register(run):
    first = run.command("dave", "ad-hoc register: execute", "register", status="executing")
    if first is None:
        return False
    fields = (first.form or {}).get("fields", {})
    run.check("ad-hoc register: form with username (text-single) and password "
              "(text-private), both required",
              first.form and first.form["type"] == "form"
              and [(v, f["type"], f["required"]) for v, f in fields.items()]
              == [("username", "text-single", True), ("password", "text-private", True)],
              f"got {first}")
    run.check("ad-hoc register: a session id and the 'complete' action",
              bool(first.sessionid) and "complete" in first.actions, f"got {first}")
    sid = first.sessionid
    code = run.command("dave", "ad-hoc register: form submitted", "register",
                       {"username": "dave-echo", "password": "pw"}, sid, "complete",
                       status="executing")
    if code is None:
        return False
    run.check("ad-hoc register: next a 'code' form in the same session",
              code.sessionid == sid and "code" in (code.form or {}).get("fields", {}),
              f"got {code}")
    done = run.command("dave", "ad-hoc register: code submitted", "register",
                       {"code": CODE}, sid, "complete", status="completed")
    if done is None:
        return False
    run.check("ad-hoc register: note 'Registration complete.'",
              done.notes == [("info", "Registration complete.")], f"got {done}")
    run.registered("ad-hoc register", "dave", True)
    run.expect("dave", "ad-hoc register: subscribe presence from the gateway",
               lambda p: p["type"] == "subscribe", kind="presence")
    run.expect("dave", "ad-hoc register: welcome message", body_starts(WELCOME))
    run.expect("admin", "ad-hoc register: admin notified",
               lambda m: m["body"] == f"New user registered: {run.jid('dave')}")
    for jid, name in CONTACTS.items():
        run.expect("dave", f"ad-hoc register: subscription request from {jid}",
                   lambda p: p["type"] == "subscribe", frm=jid, kind="presence")
    return bool(run.expect("dave", f"dave's session logged in ('{CONNECTED}')",
                           lambda p: p["status"] == CONNECTED, kind="presence"))


def user_commands(run):
    run.items_are("dave (registered, logged in)", "dave", USER)
    users = run.command("admin", "admin runs list-users", "list-users", status="completed")
    if users is not None:
        rows = dict(zip(column(users.form, "jid"), column(users.form, "session")))
        run.check("list-users: dave@localhost, logged in",
                  rows.get(run.jid("dave")) == "logged in", f"got {users}")
    table = run.command("dave", "contacts: completed", "contacts", status="completed")
    if table is not None and run.check("contacts: a result form", table.form and table.form[
            "type"] == "result", f"got {table}"):
        run.check("contacts: reported columns name, jid",
                  table.form["reported"] == ["name", "jid"], f"got {table.form['reported']}")
        got = dict(zip(column(table.form, "jid"), column(table.form, "name")))
        run.check("contacts: rows are alice, bob and carol with their names",
                  got == CONTACTS, f"got {got}")


def search(run):
    dave = run.clients["dave"]
    want = [{"name": "Alice Echo", "jid": ALICE}]
    form = run.command("dave", "find: execute", "find", status="executing")
    if form is not None:
        run.check("find: a form with the field 'name'",
                  list((form.form or {}).get("fields", {})) == ["name"], f"got {form}")
        found = run.command("dave", "find name=alice", "find", {"name": "alice"},
                            form.sessionid, "complete", status="completed")
        if found is not None:
            run.check("find name=alice: one row, Alice Echo <alice@gw.localhost>",
                      found.form and found.form["items"] == want, f"got {found}")
    again = run.command("dave", "find: execute again", "find", status="executing")
    if again is not None:
        none = run.command("dave", "find name=zed", "find", {"name": "zed"}, again.sessionid,
                           "complete", status="completed")
        if none is not None:
            run.check("find name=zed: note 'Nothing found.'", none.note == "Nothing found.",
                      f"got {none}")
    got = run.attempt("XEP-0055 get", search_get, dave, GW)
    if got is not None:
        run.check("XEP-0055 get: instructions and the field 'name'",
                  got["instructions"] and got["form"] and "name" in got["form"]["fields"],
                  f"got {got}")
    result = run.attempt("XEP-0055 set name=alice", search_set, dave, GW, {"name": "alice"})
    if result is not None:
        run.check("XEP-0055 set: the same row as the ad-hoc find", result["items"] == want,
                  f"got {result}")
    got = run.attempt("XEP-0100 get", gateway_get, dave, GW)
    if got is not None:
        run.check("XEP-0100 get: desc and prompt", got["desc"] and got["prompt"], f"got {got}")
    jid = run.attempt("XEP-0100 set prompt 555123", gateway_prompt, dave, GW, "555123")
    run.check("XEP-0100: a JID 555123@gw.localhost", jid == f"555123@{GW}", f"got {jid!r}")


def set_react(run, value, label):
    form = run.command("dave", f"preferences ({label}): execute", "preferences",
                       status="executing")
    if form is None:
        return None
    shown = (form.form or {}).get("fields", {}).get("react")
    saved = run.command("dave", f"preferences ({label}): react={value} submitted",
                        "preferences", {"react": value}, form.sessionid, "complete",
                        status="completed")
    if saved is not None:
        run.check(f"preferences ({label}): 'Preferences saved.'",
                  saved.note == "Preferences saved.", f"got {saved}")
    return shown


def echo_reacts(run, label, n):
    """Send a message to alice; (echo seen?, 👍 reaction to it seen?)."""
    mid = f"prefs-{n}"
    send_message(run.clients["dave"], ALICE, f"message {n}", mid)
    echo = run.expect("dave", f"{label}: alice echoes", body_starts("Echo ("), ALICE)
    run.sleep(1.0)   # the reaction, if any, follows the echo at once
    box = run.inbox["dave"]
    react = box.find("message", lambda m: reactions_of(m) is not None
                     and reactions_of(m)[0] == mid)
    return echo is not None, react is not None


def preferences(run):
    shown = set_react(run, "0", "off")
    if shown is not None:
        run.check("preferences: field react is a boolean, '1' by default",
                  shown["type"] == "boolean" and shown["values"] == ["1"], f"got {shown}")
    echoed, reacted = echo_reacts(run, "react=0", 1)
    run.check("react=0: no 👍 reaction", echoed and not reacted, "a 👍 came")
    shown = set_react(run, "1", "on")
    run.check("preferences: the form shows the stored react=0",
              shown is not None and shown["values"] == ["0"], f"got {shown}")
    echoed, reacted = echo_reacts(run, "react=1", 2)
    run.check("react=1: the 👍 reaction is back", echoed and reacted, "no 👍 came")
    # XEP-0004 §3.3: 'false' is a boolean as valid as '0'.
    set_react(run, "false", "off, spelled 'false'")
    echoed, reacted = echo_reacts(run, "react=false", 3)
    run.check("react=false: no 👍 reaction", echoed and not reacted, "a 👍 came")


def sessions(run):
    dave, stranger = run.clients["dave"], run.clients["stranger"]
    form = run.command("dave", "sessions: register executed", "register", status="executing")
    if form is None:
        return
    run.refused("unknown session id: bad-request <bad-sessionid/>", "bad-request",
                "bad-sessionid", run_command, dave, GW, "register",
                {"username": "x", "password": "y"}, "no-such-session", "complete")
    run.refused("another user's session id: bad-request <bad-sessionid/>", "bad-request",
                "bad-sessionid", run_command, stranger, GW, "register",
                {"username": "x", "password": "y"}, form.sessionid, "complete")
    run.command("dave", "sessions: cancel", "register", None, form.sessionid, "cancel",
                status="canceled")
    run.refused("canceled session id: bad-request <bad-sessionid/>", "bad-request",
                "bad-sessionid", run_command, dave, GW, "register",
                {"username": "x", "password": "y"}, form.sessionid, "complete")


def adhoc_unregister(run):
    ask = run.command("dave", "ad-hoc unregister: execute", "unregister", status="executing")
    if ask is None:
        return
    confirm = (ask.form or {}).get("fields", {}).get("confirm")
    run.check("ad-hoc unregister: a question and a required boolean 'confirm'",
              ask.form["fixed"] and confirm and confirm["type"] == "boolean"
              and confirm["required"], f"got {ask}")
    done = run.command("dave", "ad-hoc unregister: confirm=1 submitted", "unregister",
                       {"confirm": "1"}, ask.sessionid, "complete", status="completed")
    if done is not None:
        run.check("ad-hoc unregister: note 'You are unregistered.'",
                  done.note == "You are unregistered.", f"got {done}")
    run.registered("ad-hoc unregister", "dave", False)
    run.expect("dave", "ad-hoc unregister: unsubscribed presence from the gateway",
               lambda p: p["type"] == "unsubscribed", kind="presence")
    run.items_are("dave (unregistered again)", "dave", ANYONE)


def chat_step(run, say, name, pred):
    send_chat(run.clients["erin"], GW, say)
    return run.expect("erin", name, pred)


def chat_register(run):
    if not chat_step(run, "register", "chat register: the form's title and 'abort' hint",
                     lambda m: m["body"].startswith("Legate Echo registration")
                     and "'abort'" in m["body"]):
        return False
    steps = [(None, "asks 'User name'", "User name"),
             ("erin-echo", "asks 'Password (private)'", "Password (private)"),
             ("erin-pw", "the code form's title", "Two-factor code"),
             (None, "asks 'Code'", "Code"),
             (CODE, "'Registration complete.'", "Registration complete.")]
    for answer, name, text in steps:
        got = (chat_step(run, answer, f"chat register: {name}", body_starts(text)) if answer
               else run.expect("erin", f"chat register: {name}", body_starts(text)))
        if not got:
            return False
    run.expect("erin", "chat register: welcome message", body_starts(WELCOME))
    run.registered("chat register", "erin", True)
    return bool(run.expect("erin", f"erin's session logged in ('{CONNECTED}')",
                           lambda p: p["status"] == CONNECTED, kind="presence"))


def chat_commands(run):
    got = chat_step(run, "help", "chat help: answered", body_starts("Commands:"))
    if got is not None:
        keywords = {line.split(" — ")[0] for line in got["body"].splitlines()[1:-1]}
        run.check("chat help: the commands of a logged-in user", keywords == USER,
                  f"got {got['body']!r}")
    got = chat_step(run, "contacts", "chat contacts: answered", body_starts("Your contacts"))
    if got is not None:
        lines = got["body"].splitlines()
        rows = lines[4:-1]
        cols = {line.index(jid) for line in rows for jid in CONTACTS if jid in line}
        run.check("chat contacts: a ``` block, header Name/JID, rule, 3 aligned rows",
                  len(lines) == 8 and lines[1] == lines[-1] == "```"
                  and re.fullmatch(r"Name +JID", lines[2]) and set(lines[3]) <= {"-", " "}
                  and cols == {lines[2].index("JID")}
                  and sorted(r.split("  ")[0] for r in rows) == sorted(CONTACTS.values()),
                  f"got {got['body']!r}")
    if not chat_step(run, "register", "chat abort: register asks again",
                     body_starts("Legate Echo registration")):
        return
    run.expect("erin", "chat abort: 'User name' shows the current value",
               lambda m: m["body"].startswith("User name") and "erin-echo" in m["body"])
    chat_step(run, "erin-renamed", "chat abort: asks the password", body_starts("Password"))
    chat_step(run, "abort", "chat abort: 'Cancelled.'", lambda m: m["body"] == "Cancelled.")
    info = run.registered("chat abort", "erin", True)
    if info is not None:
        run.check("chat abort: the user name is unchanged",
                  info["values"].get("username") == "erin-echo", f"got {info['values']}")
    chat_step(run, "help", "chat abort: the next line is a command again",
              body_starts("Commands:"))


def main(binary):
    checks = harness.Checks()
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"not ok - gateway binary {binary} is not an executable file")
        return 1
    with harness.Prosody(component=GW) as prosody:
        for user in USERS:
            prosody.register(user, f"{user}-pw")
        if not checks.attempt("prosody started", prosody.start):
            return 1
        run = Run(binary, prosody, checks)
        try:
            for user in USERS:
                client = harness.Client(prosody, user, f"{user}-pw", timeout=5,
                                        plugins=["xep_0050"])
                run.clients[user] = client
                checks.attempt(f"{user} connected", client.connect)
                run.inbox[user] = Inbox(client).attach()
            if checks.ok and run.start_gateway():
                discovery(run)
                errors(run)
                if adhoc_register(run):
                    user_commands(run)
                    search(run)
                    preferences(run)
                    sessions(run)
                    adhoc_unregister(run)
                if chat_register(run):
                    chat_commands(run)
        finally:
            for client in run.clients.values():
                client.close()
        if run.gateway is not None:
            died = run.gateway.proc.poll()
            code = run.gateway.stop()
            checks.check("gateway exits 0 on SIGTERM", died is None and code == 0,
                         f"it had died with {died}" if died is not None
                         else "had to be killed" if code is None else f"exit code {code}")
        prosody.stop()
        checks.check("prosody stopped", not prosody.running)
        checks.summary()
        if not checks.ok:
            prosody.dump_logs(lines=40)
    return 0 if checks.ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} PATH/TO/legate-echo")
    harness.setup_logging()
    harness.install_signal_handlers()
    harness.set_deadline(TOTAL_TIMEOUT)
    try:
        sys.exit(main(sys.argv[1]))
    except harness.Overtime as e:
        print(f"not ok - {e.code}", flush=True)
        sys.exit(2)
    except (Exception, KeyboardInterrupt) as e:
        print(f"not ok - aborted: {harness.describe(e)}", flush=True)
        sys.exit(2)
