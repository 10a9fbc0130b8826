// Room: its history (XEP-0313). What the room sends is archived as it goes out, and a
// query gets one page of it: each archived message forwarded as it was, with the sender's
// real JID in non-anonymous rooms (read now, XEP-0313 §6.1.2 allows it).
#include <spdlog/spdlog.h>

#include <chrono>

#include "component/component.hpp"
#include "component/xml_parse.hpp"
#include "legacy/room.hpp"
#include "legacy/room_stanzas.hpp"
#include "legacy/session.hpp"
#include "storage/room_archive.hpp"

namespace legate {
namespace {

std::int64_t unix_ms(std::chrono::system_clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
}

}  // namespace

void Room::archive(const Element& message, std::string_view stanza_id, const LegacyId& legacy_id,
                   std::string_view nick, std::optional<Time> when) {
  std::string payload;
  for (const Element& child : message.children()) {
    if (child.is("stanza-id", kStanzaIdNs)) continue;  // the result's id says it
    child.append_to(payload, kComponentNs);
  }
  session_.host().room_archive().append(
      {.room_id = record_.id,
       .ts_ms = unix_ms(when.value_or(std::chrono::system_clock::now())),
       .stanza_id = std::string(stanza_id),
       .xmpp_id = std::string(message.attr_or("id")),
       .legacy_id = legacy_id,
       .nick = std::string(nick),
       .payload = std::move(payload)});
}

Element Room::archive_query(std::string_view to, const MamQuery& query) {
  // `with`: an occupant JID of this room, or (non-anonymous rooms) a contact's real JID.
  std::string nick;
  if (!query.with.empty()) {
    auto with = Jid::parse(query.with);
    if (with && with->bare() == jid_ && with->has_resource()) {
      nick = std::string(with->resource());
    } else if (Contact* c = with ? session_.roster().by_jid(with->bare()) : nullptr;
               c && kind() == RoomKind::group) {
      if (Participant* p = find_participant_of(c->legacy_id())) nick = p->nick();
    }
    if (nick.empty()) nick.push_back('\n');  // no nick has one: an empty page
  }
  ArchivePage page = session_.host().room_archive().query(record_.id, query, nick);
  Component& component = session_.host().component();
  for (ArchivedMessage& m : page.messages) {
    Element archived("message", std::string(kComponentNs));
    archived.set_attr("type", "groupchat").set_attr("from", occupant_jid(m.nick));
    if (!m.xmpp_id.empty()) archived.set_attr("id", m.xmpp_id);
    try {
      // Appended, not `"<m>" + payload + "</m>"`: GCC 12's -Wrestrict misfires on that.
      std::string wrapped = "<m xmlns='jabber:component:accept'>";
      wrapped.append(m.payload).append("</m>");
      Element children = parse_element(wrapped);
      for (Element& child : children.children()) archived.add_child(std::move(child));
    } catch (const std::exception& e) {
      spdlog::warn("{}: archived message {} of {} is unreadable: {}", session_.user_jid().str(),
                   m.stanza_id, jid_.str(), e.what());
      continue;
    }
    if (kind() == RoomKind::group) {
      Participant* p = find_participant(m.nick);
      if (p && !p->legacy_id().empty() && !p->is_user())
        archived.add_child("x", std::string(kMucUserNs))
            .add_child("item", std::string(kMucUserNs))
            .set_attr("jid", session_.roster().by_legacy_id(p->legacy_id()).jid().str());
    }
    component.send(
        mam_result(to, jid_.str(), query.query_id, m.stanza_id, m.ts_ms, std::move(archived)));
  }
  return mam_fin(page.page);
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

}  // namespace legate
