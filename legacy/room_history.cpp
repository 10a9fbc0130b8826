// Room: its history (XEP-0313). What the room sends is archived as it goes out, and a
// query gets one page of it: each archived message forwarded as it was, with the sender's
// real JID in non-anonymous rooms (read now, XEP-0313 §6.1.2 allows it).
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "component/clock.hpp"
#include "component/component.hpp"
#include "component/mam_query.hpp"
#include "component/task_group.hpp"
#include "component/xml_parse.hpp"
#include "legacy/room.hpp"
#include "legacy/room_stanzas.hpp"
#include "legacy/session.hpp"
#include "storage/room_archive.hpp"

namespace legate {

void Room::archive(const Element& message, std::string_view stanza_id, const LegacyId& legacy_id,
                   std::string_view nick, std::optional<Time> when) {
  std::string payload;  // empty when not recording: the row maps ids only
  if (record_history())
    for (const Element& child : message.children()) {
      if (child.is("stanza-id", kStanzaIdNs)) continue;  // the result's id says it
      child.append_to(payload, kComponentNs);
    }
  session_.host().room_archive().append({.room_id = record_.id,
                                         .ts_ms = when ? unix_ms(*when) : unix_ms(),
                                         .stanza_id = std::string(stanza_id),
                                         .xmpp_id = std::string(message.attr_or("id")),
                                         .legacy_id = legacy_id,
                                         .nick = std::string(nick),
                                         .payload = std::move(payload)});
}

std::optional<Element> Room::archived_message(const ArchivedMessage& m, std::string_view ns) {
  Element archived("message", std::string(ns));
  archived.set_attr("type", "groupchat").set_attr("from", occupant_jid(m.nick));
  if (!m.xmpp_id.empty()) archived.set_attr("id", m.xmpp_id);
  try {
    // Appended, not `"<m>" + payload + "</m>"`: GCC 12's -Wrestrict misfires on that.
    std::string wrapped = "<m xmlns='";
    wrapped.append(ns).append("'>");
    wrapped.append(m.payload).append("</m>");
    Element children = parse_element(wrapped);
    for (Element& child : children.children()) archived.add_child(std::move(child));
  } catch (const std::exception& e) {
    spdlog::warn("{}: archived message {} of {} is unreadable: {}", session_.user_jid().str(),
                 m.stanza_id, jid_.str(), e.what());
    return std::nullopt;
  }
  if (non_anonymous()) {
    Participant* p = find_participant(m.nick);
    if (std::string jid = p && !p->is_user() ? real_jid_of(*p) : ""; !jid.empty())
      archived.add_child("x", std::string(kMucUserNs))
          .add_child("item", std::string(kMucUserNs))
          .set_attr("jid", jid);
  }
  return archived;
}

std::string Room::nick_of_real_jid(const Jid& bare) {
  for (Participant* p : participants()) {
    if (p->is_user()) continue;
    auto real = Jid::parse(real_jid_of(*p));
    if (real && real->bare() == bare) return p->nick();
  }
  return {};
}

Element Room::archive_query(std::string_view to, const MamQuery& query) {
  // `with`: an occupant JID of this room, or (non-anonymous rooms) a contact's real JID.
  std::string nick;
  if (!query.with.empty()) {
    auto with = Jid::parse(query.with);
    if (with && with->bare() == jid_ && with->has_resource()) {
      nick = std::string(with->resource());
    } else if (with && non_anonymous()) {
      nick = nick_of_real_jid(with->bare());
    }
    if (nick.empty()) nick.push_back('\n');  // no nick has one: an empty page
  }
  ArchivePage page = session_.host().room_archive().query(record_.id, query, nick);
  page.page.stable = !backfilling_;
  Component& component = session_.host().component();
  for (ArchivedMessage& m : page.messages) {
    // Forwarded stanzas keep the client namespace (XEP-0297): clients look for that.
    if (auto archived = archived_message(m, "jabber:client"))
      component.send(
          mam_result(to, jid_.str(), query.query_id, m.stanza_id, m.ts_ms, std::move(*archived)));
  }
  return mam_fin(page.page);
}

void Room::send_history(std::string_view to, const MucHistory& history) {
  std::size_t limit = history_on_join();
  if (history.max_stanzas) limit = std::min(limit, *history.max_stanzas);
  if (limit == 0 || history.none()) return;
  MamQuery query;
  query.rsm_before = "";  // the newest page
  query.max = std::min(limit, MamQuery::kMaxPage);
  query.start_ms = history.since_ms;
  ArchivePage page = session_.host().room_archive().query(record_.id, query, {});
  std::vector<Element> messages;
  std::vector<std::size_t> sizes;
  std::size_t total = 0;
  for (const ArchivedMessage& m : page.messages) {
    auto message = archived_message(m, kComponentNs);
    if (!message) continue;
    message->set_attr("to", to);
    const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(m.ts_ms));
    message->add_child("delay", std::string(kDelayNs))
        .set_attr("from", jid_.str())
        .set_attr("stamp", xmpp_datetime(when));
    message->add_child("stanza-id", std::string(kStanzaIdNs))
        .set_attr("id", m.stanza_id)
        .set_attr("by", jid_.str());
    sizes.push_back(history.max_chars ? message->str(kComponentNs).size() : 0);
    total += sizes.back();
    messages.push_back(std::move(*message));
  }
  // maxchars counts whole stanzas: the oldest go first until the rest fits.
  std::size_t first = 0;
  while (history.max_chars && first < messages.size() && total > *history.max_chars)
    total -= sizes[first++];
  Component& component = session_.host().component();
  for (std::size_t i = first; i < messages.size(); ++i) component.send(std::move(messages[i]));
}

Element Room::archive_metadata() {
  RoomArchive& archive = session_.host().room_archive();
  Element metadata("metadata", std::string(kMamNs));
  auto edge = [&](const char* name, const std::optional<ArchivedMessage>& m) {
    if (!m) return;
    const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(m->ts_ms));
    metadata.add_child(name, std::string(kMamNs))
        .set_attr("id", m->stanza_id)
        .set_attr("timestamp", xmpp_datetime(when));
  };
  edge("start", archive.first(record_.id));
  edge("end", archive.last(record_.id));
  return metadata;
}

void Room::note_live(const LegacyId& id, Time when) {
  if (!first_live_ || when < first_live_->when) first_live_ = HistoryBound{id, when};
}

asio::awaitable<void> Room::backfill_once(std::chrono::milliseconds deadline) {
  if (backfill_started_) co_return;
  backfill_started_ = backfilling_ = true;
  std::optional<HistoryBound> after;
  if (auto newest = session_.host().room_archive().newest_before(record_.id, unix_ms(run_start_)))
    after = HistoryBound{newest->legacy_id, Time(std::chrono::milliseconds(newest->ts_ms))};
  struct Signal {
    explicit Signal(asio::any_io_executor ex) : timer(std::move(ex)) {}
    asio::steady_timer timer;
    bool done = false;
  };
  auto signal = std::make_shared<Signal>(co_await asio::this_coro::executor);
  signal->timer.expires_after(deadline);
  auto run = [](Room* room, std::shared_ptr<Signal> signal, std::optional<HistoryBound> after,
                std::optional<HistoryBound> before) -> asio::awaitable<void> {
    try {
      co_await room->backfill(std::move(after), std::move(before));
    } catch (const std::exception& e) {
      rethrow_if_cancellation(e);
      spdlog::warn("{}: the history of {} could not be fetched: {}",
                   room->session_.user_jid().str(), room->jid_.str(), e.what());
    }
    room->backfilling_ = false;
    signal->done = true;
    signal->timer.cancel();
  };
  session_.spawn(run(this, signal, after, first_live_));
  if (!signal->done) co_await signal->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!signal->done)
    spdlog::info("{}: the history of {} is still being fetched after {} ms",
                 session_.user_jid().str(), jid_.str(), deadline.count());
}

}  // namespace legate
