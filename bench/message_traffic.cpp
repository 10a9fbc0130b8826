// legate-bench-msg's traffic on the component stream and its bookkeeping
// (message_traffic.hpp).
#include "bench/message_traffic.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

#include "bench/message_database.hpp"

namespace legate::bench {
namespace {

constexpr std::string_view kChatStatesNs = "http://jabber.org/protocol/chatstates";
constexpr std::string_view kMarkersNs = "urn:xmpp:chat-markers:0";
constexpr std::string_view kReactionsNs = "urn:xmpp:reactions:0";
constexpr std::string_view kReplyNs = "urn:xmpp:reply:0";
constexpr std::string_view kReceiptsNs = "urn:xmpp:receipts";

// The digits of "u123@…" as 123; SIZE_MAX when the JID is not one of ours.
std::size_t user_index(std::string_view jid) {
  if (jid.size() < 2 || jid[0] != 'u') return SIZE_MAX;
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(jid.data() + 1, jid.data() + jid.size(), index);
  if (ec != std::errc() || end == jid.data() + jid.size() || *end != '@') return SIZE_MAX;
  return index;
}

}  // namespace

MessageServer::MessageServer(int fd, const MessageOptions& opt, Clock::time_point deadline)
    : BenchServer(fd,
                  {.jid = opt.jid,
                   .secret = opt.secret,
                   .read_buffer = 256 * 1024,
                   .idle_poll_ms = 1000,
                   .stream_name = "the component's stream"},
                  deadline),
      opt_(opt),
      domain_(user_domain(opt.jid)),
      contact_suffix_("@" + opt.jid),
      connected_(opt.users, 0),
      composing_fifo_(opt.users) {
  delay_ns_ = static_cast<std::int64_t>(opt.delay_ms * 1e6);
}

void MessageServer::on_component_stanza(legate::Element& stanza) {
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

void MessageServer::wait_logged_in(Clock::time_point& all_connected, Clock::time_point& routable) {
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

std::size_t MessageServer::probe_all() {
  const std::size_t total = opt_.users * opt_.contacts;
  std::size_t sent = 0;
  probe_answers_ = 0;
  probing_ = true;
  pump([&] { return probe_answers_ == total; },
       [&] {
         while (sent < total && sent - probe_answers_ < opt_.window) {
           const std::size_t user = sent % opt_.users, contact = sent / opt_.users;
           out_ += "<presence type='probe'";
           append_addresses(user, contact);
           out_ += "/>";
           ++sent;
         }
       });
  probing_ = false;
  return total;
}

void MessageServer::run_messages(std::size_t n, bool measure) {
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
  const auto stall = from_seconds(opt_.stall);
  pump(
      [&] {
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
      first_lost_ = "message " + std::to_string(id) + " from u" + std::to_string(id % opt_.users) +
                    " to " + contact_local((id / opt_.users) % opt_.targets);
    }
  }
}

std::string MessageServer::describe() const {
  return "sent " + std::to_string(sent_at_.size()) + ", replies " + std::to_string(replies_) +
         ", composing " + std::to_string(composing_) + ", displayed " + std::to_string(displayed_) +
         ", reactions " + std::to_string(reactions_) + ", errors " + std::to_string(errors_) +
         ", unexpected " + std::to_string(unexpected_) + ", logged in " +
         std::to_string(connected_count_) + ", echo contacts online " +
         std::to_string(echo_online_) + ", stanzas " + std::to_string(stanzas_);
}

void MessageServer::settle(std::chrono::milliseconds grace) {
  const auto until = Clock::now() + grace;
  const auto saved = deadline_;
  deadline_ = until + std::chrono::seconds(1);
  try {
    pump(
        [&] {
          return Clock::now() > until ||
                 (reactions_ >= replies_ && displayed_ >= replies_ && composing_ >= replies_);
        },
        [] {}, 10);
  } catch (const std::exception&) {
  }
  deadline_ = saved;
}

void MessageServer::on_presence(const legate::Element& stanza) {
  ++presences_;
  const std::string_view from = stanza.attr_or("from");
  if (from == opt_.jid) {  // the gateway's status for a user
    if (stanza.child_text("status", kComponentNs) != opt_.status) return;
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

void MessageServer::unexpected(const legate::Element& stanza) {
  if (unexpected_++ == 0) first_unexpected_ = stanza.str(kComponentNs);
}

void MessageServer::on_message(const legate::Element& stanza) {
  if (stanza.attr_or("type") == "error") {
    if (errors_++ == 0) first_error_ = stanza.str(kComponentNs);
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
    const std::string_view body = stanza.child_text("body", kComponentNs);
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
    if (!parse_id(received->attr_or("id"), id) || id >= sent_at_.size()) return unexpected(stanza);
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

std::string MessageServer::body_of(std::uint64_t id) const {
  return "load test message " + std::to_string(id);
}

void MessageServer::append_addresses(std::size_t user, std::size_t contact) {
  out_ += " from='u";
  out_ += std::to_string(user);
  out_ += "@";
  out_ += domain_;
  out_ += "/bench' to='";
  out_ += contact_local(contact);
  out_ += contact_suffix_;
  out_ += "'";
}

void MessageServer::append_message(std::uint64_t id) {
  const std::size_t user = id % opt_.users;
  const std::size_t contact = (id / opt_.users) % opt_.targets;
  const std::string ids = std::to_string(id);
  out_ += "<message type='chat' id='";
  out_ += ids;
  out_ += "'";
  append_addresses(user, contact);
  out_ += "><body>";
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

}  // namespace legate::bench
