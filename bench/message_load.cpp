// legate-bench-msg: load generator for the whole gateway (the echo bridge). It prepares a
// database of N registered users with M stored contacts each (with Legate's own stores),
// plays the server side of XEP-0114 on 127.0.0.1 (optionally spawning legate-echo on that
// database, pinned to its own CPU), and measures:
//   1. start-up: from the spawn until every user's session is logged in (the gateway's
//      presence "Connected to the echo network") and routable (the contacts that the echo
//      network's fill() lists are online), with the component's RSS and CPU;
//   2. optionally (--probe) the memory of loaded contacts: a presence probe from every user
//      to every stored contact makes the gateway load them all;
//   3. messaging: chat messages from the users to their contacts, W in flight (optionally
//      paced at --rate), each matched to the echo's reply (<reply id='our id'/>), with the
//      round trip net of the echo network's artificial delay, the latency of the contact's
//      "composing" (sent as soon as the bridge has the message), throughput, RSS and CPU.
// Plain non-blocking socket + poll(); stanzas are parsed with legate::XmlStreamParser.
#include <poll.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "bench/support.hpp"
#include "component/handshake.hpp"
#include "component/jid.hpp"
#include "component/xml_stream_parser.hpp"
#include "storage/contact_store.hpp"
#include "storage/database.hpp"
#include "storage/user_store.hpp"

namespace {

using namespace legate::bench;

constexpr std::string_view kChatStatesNs = "http://jabber.org/protocol/chatstates";
constexpr std::string_view kMarkersNs = "urn:xmpp:chat-markers:0";
constexpr std::string_view kReactionsNs = "urn:xmpp:reactions:0";
constexpr std::string_view kReplyNs = "urn:xmpp:reply:0";
constexpr std::string_view kReceiptsNs = "urn:xmpp:receipts";
constexpr std::string_view kClientNs = "jabber:component:accept";
// The contacts the echo network's fill() returns; they are stored first.
constexpr std::string_view kEchoContacts[] = {"alice", "bob", "carol"};

struct Options {
  std::uint16_t port = 0;
  std::string spawn;  // path to legate-echo, or empty (connect a component yourself)
  pid_t pid = 0;      // --pid: measure an already running component
  std::size_t users = 100;
  std::size_t contacts = 100;  // stored per user (the first three are alice, bob, carol)
  std::size_t targets = 3;     // contacts per user that messages go to
  std::size_t count = 100000;
  std::size_t warmup = 5000;
  std::size_t window = 2000;
  double rate = 0;  // messages/s; 0: as fast as the window allows
  double delay_ms = 200;
  bool rich = false;  // messages as a modern client sends them (receipt request, markable…)
  bool probe = false;
  bool prepare_only = false;  // write --database and exit (for bench/prosody_messages.py)
  std::string database;  // kept (and reused when it exists); empty: a throwaway one
  std::string tmpdir = "/tmp";  // where the throwaway database goes (/dev/shm: no disk)
  double timeout = 600;
  double stall = 10;  // seconds without a reply after which the missing ones count as lost
  bool pin = true;
  std::string jid = "gw.localhost";
  std::string secret = "S";
  std::string status = "Connected to the echo network";
};

constexpr std::string_view kUsage =
    "usage: legate-bench-msg [--spawn PATH] [--pid PID] [--port P] [--users N] [--contacts M]\n"
    "                        [--targets K] [--count N] [--warmup N] [--window W] [--rate R]\n"
    "                        [--delay-ms D] [--rich] [--probe] [--database PATH]\n"
    "                        [--tmpdir DIR] [--timeout SECONDS] [--stall SECONDS]\n"
    "                        [--no-pin] [--jid JID] [--secret S] [--status TEXT]\n"
    "                        [--prepare-only]\n"
    "  --count 0 measures only the start-up (and --probe); --prepare-only writes the\n"
    "  --database (users u0…uN-1 at the JID's parent domain) and exits.\n";

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string key = argv[i];
    std::string value;
    const bool flag = key == "--no-pin" || key == "--rich" || key == "--probe" ||
                      key == "--prepare-only" || key == "--help";
    if (auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key.resize(eq);
    } else if (!flag) {
      if (i + 1 >= argc) throw std::invalid_argument(key + " needs a value");
      value = argv[++i];
    }
    if (key == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (key == "--no-pin")
      o.pin = false;
    else if (key == "--rich")
      o.rich = true;
    else if (key == "--probe")
      o.probe = true;
    else if (key == "--prepare-only")
      o.prepare_only = true;
    else if (key == "--spawn")
      o.spawn = value;
    else if (key == "--pid")
      o.pid = static_cast<pid_t>(std::stol(value));
    else if (key == "--port")
      o.port = static_cast<std::uint16_t>(std::stoul(value));
    else if (key == "--users")
      o.users = std::stoul(value);
    else if (key == "--contacts")
      o.contacts = std::stoul(value);
    else if (key == "--targets")
      o.targets = std::stoul(value);
    else if (key == "--count")
      o.count = std::stoul(value);
    else if (key == "--warmup")
      o.warmup = std::stoul(value);
    else if (key == "--window")
      o.window = std::max<std::size_t>(1, std::stoul(value));
    else if (key == "--rate")
      o.rate = std::stod(value);
    else if (key == "--delay-ms")
      o.delay_ms = std::stod(value);
    else if (key == "--database")
      o.database = value;
    else if (key == "--tmpdir")
      o.tmpdir = value;
    else if (key == "--timeout")
      o.timeout = std::stod(value);
    else if (key == "--stall")
      o.stall = std::stod(value);
    else if (key == "--jid")
      o.jid = value;
    else if (key == "--secret")
      o.secret = value;
    else if (key == "--status")
      o.status = value;
    else
      throw std::invalid_argument("unknown option " + key);
  }
  if (o.users == 0) throw std::invalid_argument("--users must be at least 1");
  if (o.targets == 0) throw std::invalid_argument("--targets must be at least 1");
  if (o.prepare_only && o.database.empty())
    throw std::invalid_argument("--prepare-only needs --database");
  return o;
}

// The JID local part of contact j (the first ones are the echo network's).
std::string contact_local(std::size_t j) {
  return j < std::size(kEchoContacts) ? std::string(kEchoContacts[j]) : "c" + std::to_string(j);
}

// The users' server: the component JID's parent domain (gw.localhost -> localhost).
std::string user_domain(const std::string& component) {
  const auto dot = component.find('.');
  return dot == std::string::npos ? component : component.substr(dot + 1);
}

// Registers `users` users with `contacts` stored contacts each, as an established gateway
// would have them after earlier runs: in the roster, named, the echo ones online.
void prepare_database(const std::string& path, const Options& opt) {
  legate::Database db(path);
  legate::UserStore users(db);
  legate::ContactStore contacts(db);
  const std::string domain = user_domain(opt.jid);
  legate::Transaction tx(db);
  for (std::size_t i = 0; i < opt.users; ++i) {
    const std::string name = "u" + std::to_string(i);
    const legate::UserRecord user =
        users.add(legate::Jid(name + "@" + domain),
                  boost::json::object{{"username", name}, {"verified", true}});
    for (std::size_t j = 0; j < opt.contacts; ++j) {
      legate::ContactRecord c;
      c.user_id = user.id;
      c.legacy_id = c.local = contact_local(j);
      c.in_roster = true;
      c.is_friend = true;
      if (j < std::size(kEchoContacts)) {
        c.name = std::string(1, static_cast<char>(c.legacy_id[0] - 32)) + c.legacy_id.substr(1) +
                 " Echo";
        c.presence_status = "Echoing everything";
      } else {
        c.name = "Contact " + std::to_string(j);
        c.presence_show = "unavailable";
      }
      contacts.upsert(c);
    }
  }
  tx.commit();
}

// The digits of "u123@…" as 123; SIZE_MAX when the JID is not one of ours.
std::size_t user_index(std::string_view jid) {
  if (jid.size() < 2 || jid[0] != 'u') return SIZE_MAX;
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(jid.data() + 1, jid.data() + jid.size(), index);
  if (ec != std::errc() || end == jid.data() + jid.size() || *end != '@') return SIZE_MAX;
  return index;
}

bool parse_id(std::string_view text, std::uint64_t& id) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  return ec == std::errc() && end == text.data() + text.size();
}

double percentile_us(std::vector<std::int64_t>& v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

void print_latency(const char* label, std::vector<std::int64_t>& v) {
  if (v.empty()) return;
  const double max = static_cast<double>(*std::max_element(v.begin(), v.end())) / 1000.0;
  const double p50 = percentile_us(v, 0.50), p90 = percentile_us(v, 0.90);
  const double p99 = percentile_us(v, 0.99), p999 = percentile_us(v, 0.999);
  std::printf("%-19s p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us\n", label,
              p50, p90, p99, p999, max);
}

// The server end of the component stream, with the bookkeeping of all phases.
class ServerSide : public legate::StreamEvents {
 public:
  ServerSide(int fd, const Options& opt, Clock::time_point deadline)
      : fd_(fd),
        opt_(opt),
        deadline_(deadline),
        parser_(*this),
        domain_(user_domain(opt.jid)),
        contact_suffix_("@" + opt.jid),
        connected_(opt.users, 0),
        composing_fifo_(opt.users) {
    buffer_.resize(256 * 1024);
    delay_ns_ = static_cast<std::int64_t>(opt.delay_ms * 1e6);
  }

  void on_stream_open(const legate::Element& header) override {
    opened_ = true;
    if (header.attr_or("xmlns") != kClientNs)
      protocol_error_ = "component stream header has the wrong namespace";
  }

  // (Parser callbacks must not throw: libxml2 is C; errors are raised after feed().)
  void on_stanza(legate::Element& stanza) override {
    if (!authenticated_) {
      if (stanza.name() != "handshake") protocol_error_ = "expected <handshake/>";
      handshake_ = stanza.text();
      got_handshake_ = true;
      return;
    }
    ++stanzas_;
    const std::string_view name = stanza.name();
    if (name == "presence") return on_presence(stanza);
    if (name == "message") return on_message(stanza);
    if (name == "iq") {
      ++iqs_;
      const std::string_view type = stanza.attr_or("type");
      if (type == "get" || type == "set") {  // nothing here is a server: refuse politely
        out_ += "<iq type='error' id='";
        out_ += stanza.attr_or("id");
        out_ += "' from='";
        out_ += stanza.attr_or("to");
        out_ += "' to='";
        out_ += stanza.attr_or("from");
        out_ +=
            "'><error type='cancel'><service-unavailable "
            "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>";
      }
      return;
    }
    ++other_;
  }
  void on_stream_close() override { closed_ = true; }

  // Reads until `done()`, calling `fill()` before each wait; throws on timeout, parse
  // failure or an unexpected EOF. `poll_ms` bounds each wait (a paced sender needs ~1 ms).
  template <typename Done, typename Fill>
  void pump(Done done, Fill fill, int poll_ms = 1000, bool eof_ok = false) {
    while (!done()) {
      fill();
      flush();
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0) throw std::runtime_error("timed out");
      pollfd p{fd_, static_cast<short>(POLLIN | (out_.size() > out_off_ ? POLLOUT : 0)), 0};
      if (poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), poll_ms))) < 0 &&
          errno != EINTR)
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fd_, buffer_.data(), buffer_.size());
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        if (eof_ok) return;
        throw std::runtime_error("the component closed the connection");
      }
      read_at_ = Clock::now();
      if (!parser_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n))))
        throw std::runtime_error("the component's stream failed to parse: " +
                                 parser_.failure()->text);
      if (!protocol_error_.empty()) throw std::runtime_error(protocol_error_);
    }
  }
  template <typename Done>
  void pump(Done done) {
    pump(done, [] {});
  }

  void send(std::string_view bytes) {
    out_.append(bytes);
    flush();
  }

  // `before_handshake` runs just before <handshake/> goes out (the gateway logs everyone
  // in as soon as it gets it).
  template <typename F>
  void authenticate(F before_handshake) {
    pump([&] { return opened_; });
    const std::string id = "bench" + std::to_string(getpid());
    send(
        "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
        "xmlns:stream='http://etherx.jabber.org/streams' from='" +
        opt_.jid + "' id='" + id + "'>");
    pump([&] { return got_handshake_; });
    if (handshake_ != legate::handshake_digest(id, opt_.secret)) {
      send(
          "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
          "</stream:error></stream:stream>");
      throw std::runtime_error("wrong handshake digest from the component");
    }
    before_handshake();
    authenticated_ = true;
    send("<handshake/>");
  }

  // Waits for every user's "Connected" status; `routable` once the echo contacts of every
  // user are online too.
  void wait_logged_in(Clock::time_point& all_connected, Clock::time_point& routable) {
    const std::size_t echo_contacts = std::size(kEchoContacts) * opt_.users;
    bool connected_seen = false;
    pump([&] {
      if (!connected_seen && connected_count_ == opt_.users) {
        connected_seen = true;
        all_connected = connected_at_;
      }
      return connected_seen && echo_online_ >= echo_contacts;
    });
    routable = echo_online_at_;
  }

  // A presence probe from every user to every stored contact (W in flight): the gateway
  // loads them all. Returns the number of probes.
  std::size_t probe_all() {
    const std::size_t total = opt_.users * opt_.contacts;
    std::size_t sent = 0;
    probe_answers_ = 0;
    probing_ = true;
    pump([&] { return probe_answers_ == total; },
         [&] {
           while (sent < total && sent - probe_answers_ < opt_.window) {
             const std::size_t user = sent % opt_.users, contact = sent / opt_.users;
             out_ += "<presence type='probe' from='u";
             out_ += std::to_string(user);
             out_ += "@";
             out_ += domain_;
             out_ += "/bench' to='";
             out_ += contact_local(contact);
             out_ += contact_suffix_;
             out_ += "'/>";
             ++sent;
           }
         });
    probing_ = false;
    return total;
  }

  // Sends `n` messages, W in flight (paced at --rate), and waits for every echo reply.
  void run_messages(std::size_t n, bool measure) {
    const std::size_t first = sent_at_.size();
    const std::size_t end = first + n;
    if (measure) {
      measure_from_ = first;
      reply_ns_.reserve(n);
      composing_ns_.reserve(n);
      if (opt_.rich) receipt_ns_.reserve(n);
    }
    sent_at_.resize(end);
    replied_.resize(end, 0);
    std::size_t next = first;
    const std::size_t replies_before = replies_;
    const auto start = Clock::now();
    first_reply_at_.reset();
    replies_at_first_ = 0;
    // A reply that never comes must not hang the run: after --stall seconds without one,
    // the missing replies count as lost (and are reported).
    std::size_t progress = replies_;
    auto progress_at = start;
    const auto stall = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(opt_.stall));
    pump([&] {
           if (replies_ - replies_before == n) return true;
           const auto now = Clock::now();
           if (replies_ != progress) {
             progress = replies_;
             progress_at = now;
           }
           return next == end && now - progress_at > stall;
         },
         [&] {
           if (next == end) return;
           const auto now = Clock::now();
           const std::size_t in_flight = next - first - (replies_ - replies_before);
           std::size_t room = opt_.window > in_flight ? opt_.window - in_flight : 0;
           if (opt_.rate > 0) {
             const auto due = static_cast<std::size_t>(opt_.rate * seconds_between(start, now));
             room = std::min(room, due > next - first ? due - (next - first) : 0);
           }
           for (; room > 0 && next < end; --room) {
             append_message(next);
             sent_at_[next++] = now;
           }
         },
         opt_.rate > 0 ? 1 : 100);
    const std::size_t missing = n - (replies_ - replies_before);
    if (missing == 0) return;
    lost_ += missing;
    for (std::size_t id = first; id < end && first_lost_.empty(); ++id) {
      if (!replied_[id]) {
        first_lost_ = "message " + std::to_string(id) + " from u" +
                      std::to_string(id % opt_.users) + " to " +
                      contact_local((id / opt_.users) % opt_.targets);
      }
    }
  }

  // One line about where the run stands (for a timeout or a lost reply).
  std::string describe() const {
    return "sent " + std::to_string(sent_at_.size()) + ", replies " + std::to_string(replies_) +
           ", composing " + std::to_string(composing_) + ", displayed " +
           std::to_string(displayed_) + ", reactions " + std::to_string(reactions_) +
           ", errors " + std::to_string(errors_) + ", unexpected " + std::to_string(unexpected_) +
           ", logged in " + std::to_string(connected_count_) + ", echo contacts online " +
           std::to_string(echo_online_) + ", stanzas " + std::to_string(stanzas_);
  }

  // Waits (up to `grace`) for the markers and reactions that follow the last replies.
  void settle(std::chrono::milliseconds grace) {
    const auto until = Clock::now() + grace;
    const auto saved = deadline_;
    deadline_ = until + std::chrono::seconds(1);
    try {
      pump([&] {
        return Clock::now() > until ||
               (reactions_ >= replies_ && displayed_ >= replies_ && composing_ >= replies_);
      },
           [] {}, 10);
    } catch (const std::exception&) {
    }
    deadline_ = saved;
  }

  // Ends the stream: after SIGTERM the component closes first and we answer; otherwise we
  // close first (as a server going down would) and wait for its answer.
  void close_stream(bool peer_first, Clock::time_point until) {
    deadline_ = until;
    try {
      if (!peer_first) send("</stream:stream>");
      pump([&] { return closed_; }, [] {}, 1000, true);
      if (peer_first) send("</stream:stream>");
    } catch (const std::exception& e) {
      std::cerr << "warning: clean close failed: " << e.what() << "\n";
    }
  }

  // Statistics.
  std::size_t stanzas_ = 0, iqs_ = 0, other_ = 0, presences_ = 0;
  std::size_t connected_count_ = 0, echo_online_ = 0, probe_answers_ = 0;
  std::size_t replies_ = 0, composing_ = 0, displayed_ = 0, reactions_ = 0, receipts_ = 0;
  std::size_t gateway_chats_ = 0, errors_ = 0, unexpected_ = 0, lost_ = 0;
  std::string first_error_, first_unexpected_, first_lost_;
  std::vector<std::int64_t> reply_ns_, composing_ns_, receipt_ns_;
  std::optional<Clock::time_point> first_reply_at_;
  Clock::time_point last_reply_at_;
  std::size_t replies_at_first_ = 0;

 private:
  void on_presence(const legate::Element& stanza) {
    ++presences_;
    const std::string_view from = stanza.attr_or("from");
    if (from == opt_.jid) {  // the gateway's status for a user
      if (stanza.child_text("status", kClientNs) != opt_.status) return;
      const std::size_t user = user_index(stanza.attr_or("to"));
      if (user >= connected_.size() || connected_[user]) return;
      connected_[user] = 1;
      ++connected_count_;
      connected_at_ = read_at_;
      return;
    }
    if (!from.ends_with(contact_suffix_)) return;
    if (probing_) {
      ++probe_answers_;
      return;
    }
    const std::string_view local = from.substr(0, from.size() - contact_suffix_.size());
    if (stanza.attr("type")) return;  // unavailable, subscribe…
    if (std::find(std::begin(kEchoContacts), std::end(kEchoContacts), local) ==
        std::end(kEchoContacts))
      return;
    ++echo_online_;
    echo_online_at_ = read_at_;
  }

  void unexpected(const legate::Element& stanza) {
    if (unexpected_++ == 0) first_unexpected_ = stanza.str(kClientNs);
  }

  void on_message(const legate::Element& stanza) {
    if (stanza.attr_or("type") == "error") {
      if (errors_++ == 0) first_error_ = stanza.str(kClientNs);
      return;
    }
    const std::string_view from = stanza.attr_or("from");
    if (from == opt_.jid) {
      ++gateway_chats_;
      return;
    }
    const std::size_t user = user_index(stanza.attr_or("to"));
    if (user >= opt_.users || !from.ends_with(contact_suffix_)) return unexpected(stanza);
    std::uint64_t id = 0;
    if (const auto* reply = stanza.child("reply", kReplyNs)) {
      const std::string_view body = stanza.child_text("body", kClientNs);
      if (!parse_id(reply->attr_or("id"), id) || id >= sent_at_.size() || replied_[id] ||
          !body.starts_with("Echo (") || !body.ends_with(body_of(id)))
        return unexpected(stanza);
      replied_[id] = 1;
      ++replies_;
      if (!first_reply_at_) {
        first_reply_at_ = read_at_;
        replies_at_first_ = replies_;
      }
      last_reply_at_ = read_at_;
      if (id >= measure_from_) reply_ns_.push_back((read_at_ - sent_at_[id]).count() - delay_ns_);
    } else if (stanza.child("displayed", kMarkersNs)) {
      ++displayed_;
    } else if (stanza.child("reactions", kReactionsNs)) {
      ++reactions_;
    } else if (const auto* received = stanza.child("received", kReceiptsNs)) {
      if (!parse_id(received->attr_or("id"), id) || id >= sent_at_.size())
        return unexpected(stanza);
      ++receipts_;
      if (id >= measure_from_) receipt_ns_.push_back((read_at_ - sent_at_[id]).count());
    } else if (stanza.child("composing", kChatStatesNs)) {
      // Composing carries no id, but each user's messages are handled in order.
      auto& fifo = composing_fifo_[user];
      if (fifo.empty()) return unexpected(stanza);
      id = fifo.front();
      fifo.pop_front();
      ++composing_;
      if (id >= measure_from_) composing_ns_.push_back((read_at_ - sent_at_[id]).count());
    } else {
      unexpected(stanza);
    }
  }

  std::string body_of(std::uint64_t id) const { return "load test message " + std::to_string(id); }

  void append_message(std::uint64_t id) {
    const std::size_t user = id % opt_.users;
    const std::size_t contact = (id / opt_.users) % opt_.targets;
    const std::string ids = std::to_string(id);
    out_ += "<message type='chat' id='";
    out_ += ids;
    out_ += "' from='u";
    out_ += std::to_string(user);
    out_ += "@";
    out_ += domain_;
    out_ += "/bench' to='";
    out_ += contact_local(contact);
    out_ += contact_suffix_;
    out_ += "'><body>";
    out_ += body_of(id);
    out_ += "</body>";
    if (opt_.rich) {
      out_ +=
          "<active xmlns='http://jabber.org/protocol/chatstates'/>"
          "<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>"
          "<origin-id xmlns='urn:xmpp:sid:0' id='";
      out_ += ids;
      out_ += "'/>";
    }
    out_ += "</message>";
    composing_fifo_[user].push_back(id);
  }

  void flush() {
    while (out_off_ < out_.size()) {
      const ssize_t n = write(fd_, out_.data() + out_off_, out_.size() - out_off_);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        throw std::runtime_error(std::string("write: ") + std::strerror(errno));
      }
      out_off_ += static_cast<std::size_t>(n);
    }
    out_.clear();
    out_off_ = 0;
  }

  int fd_;
  const Options& opt_;
  Clock::time_point deadline_;
  legate::XmlStreamParser parser_;
  std::string domain_, contact_suffix_;
  std::vector<char> buffer_;
  std::string out_;
  std::size_t out_off_ = 0;
  bool opened_ = false, closed_ = false, got_handshake_ = false, authenticated_ = false;
  bool probing_ = false;
  std::string handshake_;
  std::string protocol_error_;
  Clock::time_point read_at_, connected_at_, echo_online_at_;
  std::vector<std::uint8_t> connected_;
  std::vector<std::deque<std::uint64_t>> composing_fifo_;
  std::vector<Clock::time_point> sent_at_;
  std::vector<std::uint8_t> replied_;
  std::size_t measure_from_ = SIZE_MAX;
  std::int64_t delay_ns_ = 0;
};

std::optional<ProcStats> stats_of(pid_t pid) {
  return pid > 0 ? read_proc_stats(pid) : std::nullopt;
}

void print_rss(const char* label, const std::optional<ProcStats>& s) {
  if (s)
    std::printf("%-19s %ld KiB (RssAnon %ld KiB, peak %ld KiB)\n", label, s->rss_kb, s->rss_anon_kb,
                s->peak_rss_kb);
}

int run(const Options& opt) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(opt.timeout));
  // The database: prepared before the gateway starts, like a gateway restarting with its
  // registered users. A throwaway one unless --database names one to keep.
  const bool keep = !opt.database.empty();
  const std::string database =
      keep ? opt.database
           : opt.tmpdir + "/legate-bench-msg-" + std::to_string(getpid()) + ".sqlite";
  struct RemoveDatabase {
    std::string path;
    ~RemoveDatabase() {
      if (path.empty()) return;
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    }
  } remove_database{keep ? std::string() : database};
  if (keep && std::filesystem::exists(database)) {
    legate::Database db(database);
    const std::size_t users = legate::UserStore(db).count();
    if (users != opt.users)
      throw std::invalid_argument(database + " has " + std::to_string(users) +
                                  " users, not --users " + std::to_string(opt.users));
    std::printf("database           %s (reused)\n", database.c_str());
  } else {
    const auto t0 = Clock::now();
    prepare_database(database, opt);
    std::printf("database           %s: %zu users x %zu contacts prepared in %.2f s\n",
                database.c_str(), opt.users, opt.contacts, seconds_between(t0, Clock::now()));
  }
  std::error_code size_error;
  const auto db_bytes = std::filesystem::file_size(database, size_error);
  if (!size_error) std::printf("database size      %.1f MB\n", static_cast<double>(db_bytes) / 1e6);
  if (opt.prepare_only) return 0;

  std::uint16_t port = opt.port;
  const int listener = listen_on(port);
  pid_t component = opt.pid;
  pid_t child = 0;
  const auto spawned_at = Clock::now();
  if (!opt.spawn.empty()) {
    child = component =
        spawn({opt.spawn, "--component.jid", opt.jid, "--component.secret", opt.secret,
               "--component.host", "127.0.0.1", "--component.port", std::to_string(port),
               "--log.level", "warn", "--storage.path", database},
              opt.pin ? 1 : -1);
    if (opt.pin && !pin_to_cpu(0)) std::cerr << "warning: cannot pin the generator to CPU 0\n";
  } else {
    std::cerr << "listening on 127.0.0.1:" << port << " (jid " << opt.jid << ", secret "
              << opt.secret << ", database " << database << ")\n";
  }
  int status = 0;
  std::optional<ServerSide> holder;  // outlives the try block, for the report on failure
  try {
    const int fd = accept_one(listener, child, deadline);
    const auto connected_at = Clock::now();
    close(listener);
    ServerSide& server = holder.emplace(fd, opt, deadline);
    std::optional<ProcStats> before_login;
    Clock::time_point handshake_at;
    server.authenticate([&] {
      before_login = stats_of(component);
      handshake_at = Clock::now();
    });
    Clock::time_point all_connected, routable;
    server.wait_logged_in(all_connected, routable);
    const auto after_login = stats_of(component);
    const double n_users = static_cast<double>(opt.users);

    std::printf("users x contacts   %zu x %zu (messages to %zu of each user's contacts)\n",
                opt.users, opt.contacts, opt.targets);
    if (!opt.spawn.empty())
      std::printf("start-up           connected %.3f s after spawn, all %zu sessions logged in "
                  "at %.3f s, routable at %.3f s\n",
                  seconds_between(spawned_at, connected_at), opt.users,
                  seconds_between(spawned_at, all_connected), seconds_between(spawned_at, routable));
    std::printf("login_all          %.3f s from the handshake until every echo contact is "
                "online (%zu stanzas)\n",
                seconds_between(handshake_at, routable), server.stanzas_);
    print_rss("RSS before login", before_login);
    print_rss("RSS after login", after_login);
    if (before_login && after_login) {
      std::printf("per session        %.0f bytes (RssAnon growth / users; 3 loaded contacts each)\n",
                  static_cast<double>(after_login->rss_anon_kb - before_login->rss_anon_kb) *
                      1024 / n_users);
      std::printf("start-up CPU       %.2f s in total\n", after_login->cpu_seconds);
    }
    if (opt.probe) {
      const auto t0 = Clock::now();
      const std::size_t probes = server.probe_all();
      const auto after_probe = stats_of(component);
      std::printf("probe              %zu contacts probed in %.3f s\n", probes,
                  seconds_between(t0, Clock::now()));
      print_rss("RSS after probe", after_probe);
      const std::size_t loaded =
          opt.users * (opt.contacts > std::size(kEchoContacts)
                           ? opt.contacts - std::size(kEchoContacts)
                           : 0);
      if (after_probe && after_login && loaded > 0)
        std::printf("per loaded contact %.0f bytes (RssAnon growth / %zu newly loaded contacts)\n",
                    static_cast<double>(after_probe->rss_anon_kb - after_login->rss_anon_kb) *
                        1024 / static_cast<double>(loaded),
                    loaded);
    }

    if (opt.count > 0) {
      server.run_messages(opt.warmup, false);
      const auto before = stats_of(component);
      const double own_before = own_cpu_seconds();
      const auto start = Clock::now();
      server.run_messages(opt.count, true);
      const double elapsed = seconds_between(start, Clock::now());
      const double own_cpu = own_cpu_seconds() - own_before;
      const auto after = stats_of(component);
      server.settle(std::chrono::milliseconds(2000));

      const double n = static_cast<double>(opt.count);
      std::printf("window             %zu", opt.window);
      if (opt.rate > 0) std::printf(", paced at %.0f messages/s", opt.rate);
      std::printf("%s\n", opt.rich ? " (rich messages)" : "");
      std::printf("count              %zu (after %zu warm-up)\n", opt.count, opt.warmup);
      std::printf("replies            %zu (composing %zu, displayed %zu, reactions %zu, "
                  "receipts %zu)\n",
                  server.replies_, server.composing_, server.displayed_, server.reactions_,
                  server.receipts_);
      std::printf("errors             %zu (+%zu unexpected, %zu lost)\n", server.errors_,
                  server.unexpected_, server.lost_);
      if (server.lost_)
        std::printf("first lost         %s (no reply within --stall %.0f s)\n",
                    server.first_lost_.c_str(), opt.stall);
      if (server.errors_) std::printf("first error        %s\n", server.first_error_.c_str());
      if (server.unexpected_)
        std::printf("first unexpected   %s\n", server.first_unexpected_.c_str());
      std::printf("elapsed            %.3f s\n", elapsed);
      std::printf("throughput         %.0f messages/s", n / elapsed);
      if (server.first_reply_at_ && server.last_reply_at_ > *server.first_reply_at_) {
        std::printf(" (steady: %.0f/s between the first and the last reply)",
                    static_cast<double>(server.replies_ - server.replies_at_first_) /
                        seconds_between(*server.first_reply_at_, server.last_reply_at_));
      }
      std::printf("\n");
      std::printf("echo delay         %.0f ms (subtracted from the round trip)\n", opt.delay_ms);
      print_latency("round trip - delay", server.reply_ns_);
      print_latency("composing", server.composing_ns_);
      print_latency("receipt", server.receipt_ns_);
      if (before && after) {
        const double cpu = after->cpu_seconds - before->cpu_seconds;
        print_rss("component RSS", after);
        std::printf("component CPU      %.2f s = %.2f us/message (%.0f%% of one core)\n", cpu,
                    cpu * 1e6 / n, 100 * cpu / elapsed);
      }
      std::printf("generator CPU      %.2f s = %.2f us/message\n", own_cpu, own_cpu * 1e6 / n);
    }

    if (child > 0) {
      const auto t0 = Clock::now();
      kill(child, SIGTERM);
      server.close_stream(true, Clock::now() + std::chrono::seconds(20));
      status = terminate(child, std::chrono::seconds(5));
      child = 0;
      std::printf("shutdown           %.3f s (SIGTERM to exit, %zu stanzas in all)\n",
                  seconds_between(t0, Clock::now()), server.stanzas_);
    } else {
      server.close_stream(false, Clock::now() + std::chrono::seconds(5));
    }
    close(fd);
    if (status != 0)
      std::printf("component exit     status %d (nonzero)\n",
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return server.errors_ || server.unexpected_ || server.lost_ || status != 0 ? 1 : 0;
  } catch (...) {
    if (holder) std::cerr << "legate-bench-msg: at the failure: " << holder->describe() << "\n";
    if (child > 0) terminate(child, std::chrono::seconds(3));
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::invalid_argument& e) {
    std::cerr << "legate-bench-msg: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "legate-bench-msg: error: " << e.what() << "\n";
    return 1;
  }
}
