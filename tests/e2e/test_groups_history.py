#!/usr/bin/python3
# End-to-end test of group history (XEP-0313 mam:2 with #extended, XEP-0059 paging) through
# legate-echo and a private Prosody 0.12, raw iqs and raw results. desk joins the lounge without
# history, types (bob types too), sends m1, m2 and, a second later, m3: each reflected, replied
# to by bob, reacted to by alice. Proven: a query gives the archive in order (the echo lounge's
# 30 earlier messages, fetched at the first query, when this echo has them; then the 9 live
# stanzas; no chat state, no subject), each result from the room with the queryid, the live
# stanza-id as id, a <delay/>, the message as sent (the user's own id, participants' real JIDs)
# in jabber:client; <fin/> complete, count, first, last. No <set/>: the first 20. Paging by 2
# to the end, <before/>, <before>id</before>, <flip-page/>. Filters with (occupant and real
# JID), start, after-id, before-id, ids. Errors: unknown ids item-not-found, bad <max/>
# bad-request, unknown field feature-not-implemented, the gateway and a contact
# service-unavailable. The query form and its field types, metadata, disco#info. laptop (never
# joined) sees the same. desk's correction (and bob's answer) is archived after the rest, its
# retraction only if the room reflects it. After SIGTERM and a restart on the same SQLite file,
# the same query gives the same results, stanza-ids and stamps. desk then unregisters: no row
# of any user table remains.
# Usage: /usr/bin/python3 test_groups_history.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
import copy
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from muc_helpers import (CLIENT_NS, CODE, DISCO_INFO_NS, GW, LOUNGE, NICK,  # noqa: E402
                         RESOURCES, RestartableMucRun, disco_info, error_of, frm, groupchat, muc_item,
                         show, stanza_id, text_of)
from scenario import Checks, run_test  # noqa: E402
from xmpp_helpers import (CHATSTATES_NS, CORRECT_NS, REACTIONS_NS,  # noqa: E402
                          REPLY_NS, RETRACT_NS, XDATA_NS)

TOTAL_TIMEOUT = 90        # hard cap on the run (about 5 s when all goes well)
MAM_NS, RSM_NS = "urn:xmpp:mam:2", "http://jabber.org/protocol/rsm"
FORWARD_NS, DELAY_NS = "urn:xmpp:forward:0", "urn:xmpp:delay"
VALIDATE = "{http://jabber.org/protocol/xdata-validate}"
BACKFILL = 30             # the echo lounge's earlier messages (examples/echo/echo_rooms.cpp)
REPLY, REACTION = 10, 20  # among them: a reply to the 5th, a reaction to the 19th
BOB, ALICE, ME = f"{LOUNGE}/bob", f"{LOUNGE}/alice", f"{LOUNGE}/{NICK}"
REAL = {BOB: f"bob@{GW}", ALICE: f"alice@{GW}"}


class Run(RestartableMucRun):
    def __init__(self, binary, checks):
        super().__init__(binary, checks, end_check="gateway #2 exits 0 on SIGTERM at the end",
                         code=CODE, nick=NICK, resources=RESOURCES, kinds=("message", "presence", "iq"))

    def iq(self, res, to, payload, itype="set"):
        """Sends an iq raw; returns (the iq answering it, the MAM results that came before)."""
        iid, mark = self.next_id("iq"), self.mark(res)
        self.send(res, f"<iq type='{itype}' to={quoteattr(to)} id='{iid}'>{payload}</iq>")
        got = self.await_log(res, mark, None, lambda k, e: k == "iq" and e.get("id") == iid,
                             f"answer to iq {iid}")
        return got[-1][2], [e for _, k, e in got
                            if k == "message" and e.find(f"{{{MAM_NS}}}result") is not None]


# --- MAM, raw ---

def form(**fields):
    """A submitted query form (after_id: the field after-id; a list: several values)."""
    out = (f"<x xmlns='{XDATA_NS}' type='submit'><field var='FORM_TYPE' type='hidden'>"
           f"<value>{MAM_NS}</value></field>")
    for var, values in fields.items():
        values = values if isinstance(values, list) else [values]
        out += f"<field var='{var.replace('_', '-')}'>" + "".join(
            f"<value>{escape(v)}</value>" for v in values) + "</field>"
    return out + "</x>"


def rsm(max_=None, after=None, before=None):
    parts = [(n, v) for n, v in (("max", max_), ("after", after), ("before", before))
             if v is not None]
    return f"<set xmlns='{RSM_NS}'>" + "".join(f"<{n}>{v}</{n}>" for n, v in parts) + "</set>"


def forwarded_message(fwd):
    """(the message in a <forwarded/>, copied into jabber:client so that the checks of its
    content see past a wrong namespace; the namespace it came in)."""
    m = None if fwd is None else next((c for c in fwd if c.tag.endswith("}message")), None)
    if m is None:
        return None, None
    ns, m = m.tag[1:].partition("}")[0], copy.deepcopy(m)
    for e in m.iter():
        if e.tag.startswith(f"{{{ns}}}"):
            e.tag = f"{{{CLIENT_NS}}}" + e.tag.partition("}")[2]
    return m, ns


def stamp(fwd):
    delay = None if fwd is None else fwd.find(f"{{{DELAY_NS}}}delay")
    return None if delay is None else delay.get("stamp")


def ref(e, ns, name):
    """The id of e's child {ns}name, or None."""
    child = None if e is None else e.find(f"{{{ns}}}{name}")
    return None if child is None else child.get("id")


class Page:
    """One MAM answer: .results [(message, <result/>, <forwarded/>, forwarded message)], the
    forwarded messages' namespaces, the <fin/>'s complete, first, last and count, and .rows
    [(stanza-id, from, id, stamp, body)] to compare."""

    def __init__(self, iq, results, qid):
        self.iq, self.qid, self.results, self.namespaces = iq, qid, [], set()
        for e in results:
            r = e.find(f"{{{MAM_NS}}}result")
            fwd = r.find(f"{{{FORWARD_NS}}}forwarded")
            msg, ns = forwarded_message(fwd)
            self.namespaces.add(ns)
            self.results.append((e, r, fwd, msg))
        self.fin = iq.find(f"{{{MAM_NS}}}fin")
        s = None if self.fin is None else self.fin.find(f"{{{RSM_NS}}}set")
        self.complete = self.fin is not None and self.fin.get("complete") == "true"
        self.first, self.last, self.count = (None if s is None else s.findtext(f"{{{RSM_NS}}}{n}")
                                             for n in ("first", "last", "count"))
        self.ids = [r.get("id") for _, r, _, _ in self.results]
        self.rows = [(r.get("id"), m is not None and frm(m), m is not None and m.get("id"),
                      stamp(fwd), m is not None and text_of(m, "body"))
                     for _, r, fwd, m in self.results]

    def problems(self, to, flipped=False):
        """What is wrong with the results (from the room to `to`, queryid, id, a forwarded
        groupchat with a delay) and the iq (a result from the room, fin first/last: the page's
        edges, in either order for a flipped page, which XEP-0313 leaves open)."""
        bad = [show("message", e) for e, r, fwd, m in self.results
               if frm(e) != LOUNGE or e.get("to") != to or r.get("queryid") != self.qid
               or not r.get("id") or m is None or m.get("type") != "groupchat" or not stamp(fwd)]
        edges = (self.ids[0], self.ids[-1]) if self.ids else (None, None)
        if (self.iq.get("type") != "result" or frm(self.iq) != LOUNGE or self.fin is None
                or (self.first, self.last) not in (edges, edges[::-1] if flipped else edges)):
            bad.append(f"{show('iq', self.iq)}, fin first/last {self.first}/{self.last} vs "
                       f"results {edges}")
        return bad


def fetch(run, res, inner):
    """A query (`inner` inside <query/>) from res to the lounge, answered: its Page."""
    qid = run.next_id("q")
    return Page(*run.iq(res, LOUNGE, f"<query xmlns='{MAM_NS}' queryid='{qid}'>{inner}</query>"),
                qid)


def query_check(run, name, res, inner, want=None, complete=None, count=None):
    """The check that a query is answered, well formed and, if given, has the rows `want`
    (with or without stamps), `complete` and `count`. Returns the Page or None."""
    name += ": well formed" + "".join(f", {text}" for text, given in (
        (f"{len(want or [])} results as expected", want is not None),
        (f"complete={complete}", complete is not None), (f"count {count}", count is not None))
        if given)
    try:
        page = fetch(run, res, inner)
    except Exception as e:  # noqa: BLE001 - a failed check
        return run.check(name, False, harness.describe(e)) and None
    bad = page.problems(run.full(res), "<flip-page/>" in inner)
    rows = page.rows if not want or len(want[0]) == 5 else without_stamps(page.rows)
    run.check(name, not bad and (want is None or rows == want)
              and (complete is None or page.complete == complete)
              and (count is None or page.count == str(count)),
              f"{bad[:2]}; got {[r[-1] for r in rows]} want {[r[-1] for r in want or []]}; "
              f"complete {page.complete}, count {page.count}")
    return page


def without_stamps(rows):
    return [(sid, f, mid, body) for sid, f, mid, _, body in rows]


def live_rows(live):
    return [(stanza_id(e, LOUNGE), frm(e), e.get("id"), text_of(e, "body")) for _, e in live]


# --- the scenario ---

def converse(run, n):
    """desk sends m<n>; returns what the room sent live: [(seq, element)]."""
    body, mid, mark = f"m{n}", f"hist-m{n}", run.mark("desk")
    run.send("desk", groupchat(LOUNGE, mid, body=body, origin=f"hist-origin-{n}"))
    mine = run.expect_raw(f"{body} reflected with its id", "desk", mark, LOUNGE,
                          lambda k, e: k == "message" and frm(e) == ME and e.get("id") == mid)
    if mine is None:
        return []
    sid = stanza_id(mine[2], LOUNGE)
    bob = run.expect_raw(f"bob answers {body} (a reply to its stanza-id)", "desk", mark, LOUNGE,
                         lambda k, e: k == "message" and frm(e) == BOB
                         and text_of(e, "body") == f"bob heard: {body}"
                         and ref(e, REPLY_NS, "reply") == sid)
    alice = run.expect_raw(f"alice reacts 👍 to {body}", "desk", mark, LOUNGE,
                           lambda k, e: k == "message" and frm(e) == ALICE
                           and ref(e, REACTIONS_NS, "reactions") == sid)
    return [(g[0], g[2]) for g in (mine, bob, alice) if g is not None]


def history(run, live):
    full = query_check(run, "all (max 100)", "desk", rsm(100), complete=True)
    if full is None:
        return None
    rows, n = full.rows, max(len(full.rows) - len(live), 0)
    run.check("…count is the number of results", full.count == str(len(rows)),
              f"count {full.count}, {len(rows)} results")
    earlier = [(ALICE if i % 2 else BOB, None if i == REACTION else f"Earlier message {i}")
               for i in range(1, BACKFILL + 1)]
    run.check(f"first the echo network's {BACKFILL} earlier messages, fetched at the first "
              "query (none from an echo without that history)",
              [(r[1], r[4]) for r in rows[:n]] in (earlier, []), f"{rows[:n][:3]}…")
    if n == BACKFILL:
        msgs = [m for _, _, _, m in full.results[:n]]
        refs = (ref(msgs[REPLY - 1], REPLY_NS, "reply"),
                ref(msgs[REACTION - 1], REACTIONS_NS, "reactions"),
                msgs[REACTION - 1].findtext(f"{{{REACTIONS_NS}}}reactions/{{{REACTIONS_NS}}}reaction"))
        run.check(f"…the {REPLY}th replies to the 5th, the {REACTION}th is bob's ❤️ to the 19th "
                  "(by their stanza-ids)", refs == (rows[4][0], rows[18][0], "❤️"), f"{refs}")
    run.check("then the live ones in order (no chat state): stanza-ids, senders, ids, bodies",
              without_stamps(rows[n:]) == live_rows(live),
              f"got {without_stamps(rows[n:])} want {live_rows(live)}")
    run.check("delay stamps never go back in time",
              all(a[3] <= b[3] for a, b in zip(rows, rows[1:])), f"{[r[3] for r in rows]}")
    raw = ET.tostring(full.results[-1][0], encoding="unicode")[:700] if full.results else ""
    run.check("forwarded messages are in jabber:client (XEP-0297 and XEP-0313: what clients "
              "parse)", full.namespaces == {CLIENT_NS},
              f"namespaces {sorted(map(str, full.namespaces))}, e.g. {raw}")
    archived, wrong = {r.get("id"): m for _, r, _, m in full.results}, []
    for _, e in live:
        m = archived.get(stanza_id(e, LOUNGE))
        item = None if m is None else muc_item(m)
        if m is None or any(ref(e, ns, t) != ref(m, ns, t) for ns, t in
                            ((REPLY_NS, "reply"), (REACTIONS_NS, "reactions"))) or (
                None if item is None else item.get("jid")) != REAL.get(frm(e)):
            wrong.append(show("message", e if m is None else m))
    run.check("live ones forwarded as sent (replies, reactions), participants with their real "
              "JID, the user's without", not wrong, "; ".join(wrong))
    extra = [show("message", m) for _, _, _, m in full.results if m is not None and (
        text_of(m, "subject") is not None or any(CHATSTATES_NS in c.tag for c in m))]
    run.check("no subject or chat state archived", not extra, "; ".join(extra))
    page = query_check(run, "no <set/>: the first 20", "desk", "", want=rows[:20],
                       complete=len(rows) <= 20, count=len(rows))
    return rows if page is not None else None


def paging(run, rows):
    n, pages, after = len(rows), [], None
    while len(pages) <= n // 2 and not (pages and (pages[-1].complete or not pages[-1].ids)):
        page = run.attempt(f"max 2 after {after}: answered", fetch, run, "desk",
                           rsm(2, after=after))
        if page is None:
            return
        pages.append(page)
        after = page.last
    bad = [b for p in pages for b in p.problems(run.full("desk"))]
    run.check(f"max 2 forward with <after/> to the end: {len(pages)} pages of 2, well formed, "
              "count everywhere, only the last complete, together the whole archive in order",
              not bad and [r for p in pages for r in p.rows] == rows
              and all(len(p.ids) == 2 for p in pages[:-1])
              and all(p.count == str(n) for p in pages)
              and [p.complete for p in pages] == [False] * (len(pages) - 1) + [True],
              f"{bad[:2]}; complete {[p.complete for p in pages]}, counts "
              f"{[p.count for p in pages]}, {sum(len(p.ids) for p in pages)} results")
    last = query_check(run, "<before/> max 2: the last page", "desk", rsm(2, before=""),
                       want=rows[-2:], complete=n <= 2, count=n)
    if last is not None:
        query_check(run, "<before>its first</before> max 2: the page before", "desk",
                    rsm(2, before=last.first), want=rows[-4:-2], complete=n <= 4, count=n)
    query_check(run, "<flip-page/> on the last page: reversed", "desk",
                rsm(2, before="") + "<flip-page/>", want=rows[-2:][::-1], count=n)


def filters(run, rows, live):
    bobs = [r for r in rows if r[1] == BOB]
    for who in (BOB, f"bob@{GW}"):
        query_check(run, f"with {who}: bob's only", "desk", form(**{"with": who}) + rsm(100),
                    want=bobs, complete=True, count=len(bobs))
    m2 = next(r for r in rows if r[2] == "hist-m2")
    start = (datetime.strptime(m2[3], "%Y-%m-%dT%H:%M:%SZ")
             + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = [r for r in rows if r[3] >= start]
    run.check("m3 came in a later second than m2", any(r[2] == "hist-m3" for r in later),
              f"{[r[3] for r in rows]}")
    query_check(run, f"start {start} (m2's stamp + 1 s): only later ones", "desk",
                form(start=start) + rsm(100), want=later, complete=True, count=len(later))
    sids = [r[0] for r in rows]
    i1, i3 = sids.index(stanza_id(live[0][1], LOUNGE)), sids.index(stanza_id(live[6][1], LOUNGE))
    for name, fields, want in (
            ("after-id m1", {"after_id": sids[i1]}, rows[i1 + 1:]),
            ("before-id m3", {"before_id": sids[i3]}, rows[:i3]),
            ("after-id m1, before-id m3", {"after_id": sids[i1], "before_id": sids[i3]},
             rows[i1 + 1:i3]),
            ("ids m3, m1: those, in archive order", {"ids": [sids[i3], sids[i1]]},
             [rows[i1], rows[i3]])):
        query_check(run, name, "desk", form(**fields) + rsm(100), want=want, complete=True,
                    count=len(want))


def errors_and_info(run, rows):
    def q(inner=""):
        return f"<query xmlns='{MAM_NS}' queryid='bad'>{inner}</query>"
    for name, to, payload, condition in (
            ("<after>no-such-id</after>", LOUNGE, q(rsm(2, after="no-such-id")), "item-not-found"),
            ("after-id no-such-id", LOUNGE, q(form(after_id="no-such-id")), "item-not-found"),
            ("<max>x</max>", LOUNGE, q(rsm("x")), "bad-request"),
            ("an unknown form field (XEP-0313, retrieving form fields: MUST)", LOUNGE,
             q(form(**{"{urn:example}x": "y"})), "feature-not-implemented"),
            (f"a query to {GW}", GW, q(), "service-unavailable"),
            (f"a query to bob@{GW}", f"bob@{GW}", q(), "service-unavailable")):
        iq = run.attempt(f"{name}: answered", lambda: run.iq("desk", to, payload)[0])
        if iq is not None:
            run.check(f"…{condition} from {to}", iq.get("type") == "error"
                      and error_of(iq) == condition and frm(iq) == to, show("iq", iq))
    got = run.attempt("iq get <query/> to the room: answered",
                      lambda: run.iq("desk", LOUNGE, f"<query xmlns='{MAM_NS}'/>", "get")[0])
    if got is not None:
        x = got.find(f"{{{MAM_NS}}}query/{{{XDATA_NS}}}x")
        fields = {f.get("var"): f for f in got.iter(f"{{{XDATA_NS}}}field")}
        types = {v: f.get("type") for v, f in fields.items()}
        run.check("…a form: FORM_TYPE urn:xmpp:mam:2, with, start, end",
                  got.get("type") == "result" and x is not None and x.get("type") == "form"
                  and "FORM_TYPE" in fields
                  and fields["FORM_TYPE"].findtext(f"{{{XDATA_NS}}}value") == MAM_NS
                  and {"with", "start", "end"} <= set(fields), f"{types}")
        want = {"with": "jid-single", "start": "text-single", "end": "text-single",
                "before-id": "text-single", "after-id": "text-single", "ids": "list-multi"}
        opened = "ids" in fields and fields["ids"].find(
            f"{VALIDATE}validate/{VALIDATE}open") is not None
        run.check("…field types as XEP-0313 (retrieving form fields) says (ids: list-multi with "
                  "an open <validate/>)", all(types.get(v) == t for v, t in want.items())
                  and opened, f"types {types}, ids has an open <validate/>: {opened}")
    got = run.attempt("iq get <metadata/> to the room: answered",
                      lambda: run.iq("desk", LOUNGE, f"<metadata xmlns='{MAM_NS}'/>", "get")[0])
    if got is not None:
        ends = [got.find(f"{{{MAM_NS}}}metadata/{{{MAM_NS}}}{n}") for n in ("start", "end")]
        run.check("…start and end: the first and last stanza-ids, with timestamps",
                  all(e is not None and e.get("timestamp") for e in ends)
                  and [e.get("id") for e in ends] == [rows[0][0], rows[-1][0]],
                  show("iq", got) + f" want {rows[0][0]}, {rows[-1][0]}")
    info = run.attempt(f"disco#info of {LOUNGE}: answered", disco_info, run.client, LOUNGE)
    if info is not None:
        features = {f.get("var") for f in info.findall(f"{{{DISCO_INFO_NS}}}feature")}
        run.check(f"…lists {MAM_NS} and {MAM_NS}#extended",
                  {MAM_NS, MAM_NS + "#extended"} <= features, f"{sorted(features)}")


def edits(run, rows):
    """desk corrects m1 and retracts m2; the archive gains what the room sent live. Returns
    the whole archive's rows then, or None."""
    m2, mark = next(r for r in rows if r[2] == "hist-m2"), run.mark("desk")
    run.send("desk", f"<message to='{LOUNGE}' type='groupchat' id='hist-fix'><body>m1 fixed"
                     f"</body><replace xmlns='{CORRECT_NS}' id='hist-m1'/></message>")
    fix = run.expect_raw("the correction of m1 reflected", "desk", mark, LOUNGE,
                         lambda k, e: k == "message" and frm(e) == ME
                         and e.get("id") == "hist-fix")
    bob = run.expect_raw("bob answers the correction", "desk", mark, LOUNGE,
                         lambda k, e: k == "message" and frm(e) == BOB
                         and text_of(e, "body") == "bob saw a correction: m1 fixed")
    mark = run.mark("desk")
    run.send("desk", f"<message to='{LOUNGE}' type='groupchat' id='hist-retract'>"
                     f"<retract xmlns='{RETRACT_NS}' id={quoteattr(m2[0])}/>"
                     "<store xmlns='urn:xmpp:hints'/></message>")
    ret = run.expect_raw("the retraction of m2 is reflected or refused", "desk", mark, LOUNGE,
                         lambda k, e: k == "message" and e.get("id") == "hist-retract")
    refused = ret is not None and ret[2].get("type") == "error"
    print(f"# the retraction came back as: {ret and show('message', ret[2])}", flush=True)
    live = [(n, e) for n, _, e in sorted(g for g in (fix, bob, None if refused else ret) if g)]
    what = ("the correction (replacing m1) and bob's answer, in the order sent, "
            + ("not the refused retraction" if refused else "then the retraction"))
    page = query_check(run, f"after-id the last before: {what}", "desk",
                       form(after_id=rows[-1][0]) + rsm(100), want=live_rows(live),
                       complete=True, count=len(live))
    if page is not None:
        replaced = [ref(m, CORRECT_NS, "replace") for _, _, _, m in page.results
                    if ref(m, CORRECT_NS, "replace")]
        run.check("…the archived correction replaces hist-m1", replaced == ["hist-m1"],
                  f"{replaced}")
    page = query_check(run, "the whole archive now", "desk", rsm(100), complete=True)
    return None if page is None else page.rows


# Every table that holds something of a user (upload_cache is the gateway's, not a user's).
USER_TABLES = ("users", "contacts", "message_ids", "message_id_keys", "rooms", "participants",
               "room_resources", "room_archive")


def unregister_leaves_nothing(run):
    """desk unregisters; once the gateway has stopped, no user table has a row left."""
    answer, _ = run.iq("desk", GW, "<query xmlns='jabber:iq:register'><remove/></query>")
    run.check("desk unregisters from the gateway", answer is not None
              and answer.get("type") == "result", answer is not None and show("iq", answer))
    if not run.stop_gateway("gateway #2 exits 0 on SIGTERM after the unregistration"):
        return
    counts = {}
    for table in USER_TABLES:
        r = subprocess.run(["sqlite3", run.db, f"SELECT count(*) FROM {table}"],
                           capture_output=True, text=True, timeout=10)
        counts[table] = r.stdout.strip() if r.returncode == 0 else r.stderr.strip()
    run.check("after the unregistration no row of the user remains (archive, id map and its "
              "keys, rooms, participants, contacts)", all(v == "0" for v in counts.values()),
              f"{counts}")


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        if not run.ready() or run.send_join("desk joins the lounge (no history)", "desk",
                                            LOUNGE, NICK, "hist-join") is None:
            return checks.summary()
        mark = run.mark("desk")   # typing: a chat state each way, not archived
        run.send("desk", groupchat(LOUNGE, "hist-typing",
                                   f"<composing xmlns='{CHATSTATES_NS}'/>"))
        run.expect_raw("desk's <composing/> makes bob compose", "desk", mark, LOUNGE,
                       lambda k, e: k == "message" and frm(e) == BOB
                       and e.find(f"{{{CHATSTATES_NS}}}composing") is not None)
        live = converse(run, 1) + converse(run, 2)
        run.quiet(1.1)        # m3 in a later second than m2: a boundary for the start filter
        live += converse(run, 3)
        rows = history(run, live) if len(live) == 9 else None
        if rows is None:
            return checks.summary()
        paging(run, rows)
        filters(run, rows, live)
        errors_and_info(run, rows)
        query_check(run, "laptop (never joined): the same history", "laptop", rsm(100),
                    want=rows, complete=True, count=len(rows))
        before = edits(run, rows)
        run.stop_gateway("gateway #1 exits 0 on SIGTERM")
        for box in run.inbox.values():
            box.clear()
        if before and run.start_gateway() and run.logged_in("gateway #2 logs the session in"):
            query_check(run, "after the restart: the same query, the same results", "desk",
                        rsm(100), want=before, complete=True, count=len(before))
            unregister_leaves_nothing(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
