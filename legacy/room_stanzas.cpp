// Room stanza builders (XEP-0045, XEP-0421, XEP-0359).
#include "legacy/room_stanzas.hpp"

#include <openssl/hmac.h>

#include <stdexcept>

#include "component/base64.hpp"
#include "component/disco.hpp"
#include "component/form.hpp"
#include "component/stanza.hpp"
#include "legacy/contact_stanzas.hpp"

namespace legate {
namespace {

std::string base64url(std::string_view bytes, std::size_t max_chars) {
  std::string text = base64_encode(bytes);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  if (text.size() > max_chars) text.resize(max_chars);
  return text;
}

Element text_child(std::string name, std::string_view ns, std::string_view text) {
  Element e(std::move(name), std::string(ns));
  e.set_text(std::string(text));
  return e;
}

void add_delay(Element& stanza, std::chrono::system_clock::time_point when,
               std::string_view room_jid) {
  Element& delay = stanza.add_child("delay", std::string(kDelayNs));
  delay.set_attr("stamp", xmpp_datetime(when));
  delay.set_attr("from", room_jid);
}

Element form_field(std::string_view var, std::string_view value, std::string_view type = {}) {
  Element field("field", "jabber:x:data");
  field.set_attr("var", var);
  if (!type.empty()) field.set_attr("type", type);
  field.add_child(text_child("value", "jabber:x:data", value));
  return field;
}

}  // namespace

Element occupant_presence(const OccupantPresence& p) {
  Element presence = make_presence(p.from, p.to, p.type);
  if (!p.id.empty()) presence.set_attr("id", p.id);
  Element& x = presence.add_child("x", std::string(kMucUserNs));
  Element& item = x.add_child("item", std::string(kMucUserNs));
  item.set_attr("affiliation", to_string(p.affiliation));
  item.set_attr("role", to_string(p.role));
  if (!p.real_jid.empty()) item.set_attr("jid", p.real_jid);
  if (!p.new_nick.empty()) item.set_attr("nick", p.new_nick);
  if (!p.reason.empty()) item.add_child(text_child("reason", kMucUserNs, p.reason));
  for (MucStatus code : p.codes)
    x.add_child("status", std::string(kMucUserNs))
        .set_attr("code", std::to_string(static_cast<int>(code)));
  if (!p.occupant_id.empty())
    presence.add_child("occupant-id", std::string(kOccupantIdNs)).set_attr("id", p.occupant_id);
  return presence;
}

void add_status(Element& presence, MucStatus code) {
  presence.child("x", kMucUserNs)
      ->add_child("status", std::string(kMucUserNs))
      .set_attr("code", std::to_string(static_cast<int>(code)));
}

Element subject_message(std::string_view from, std::string_view to, std::string_view subject,
                        std::string_view room_jid,
                        std::optional<std::chrono::system_clock::time_point> when) {
  Element message = make_message(from, to, "groupchat");
  message.add_child(text_child("subject", kComponentNs, subject));
  if (when) add_delay(message, *when, room_jid);
  return message;
}

Element groupchat_message(const RoomMessage& m) {
  Element message = make_message(m.from, m.to, "groupchat");
  if (!m.id.empty()) message.set_attr("id", m.id);
  message.add_child(text_child("body", kComponentNs, m.body));
  if (m.when) add_delay(message, *m.when, m.room_jid);
  Element& sid = message.add_child("stanza-id", std::string(kStanzaIdNs));
  sid.set_attr("id", m.stanza_id).set_attr("by", m.room_jid);
  if (!m.occupant_id.empty())
    message.add_child("occupant-id", std::string(kOccupantIdNs)).set_attr("id", m.occupant_id);
  message.add_child("markable", std::string(kMarkersNs));
  return message;
}

std::vector<std::string> room_features(RoomKind kind, bool non_anonymous) {
  std::vector<std::string> features{std::string(kMucNs),
                                    "http://jabber.org/protocol/muc#stable_id",
                                    "http://jabber.org/protocol/muc#self-ping-optimization",
                                    std::string(kStanzaIdNs),
                                    std::string(kOccupantIdNs),
                                    std::string(kMamNs),
                                    std::string(kMamExtendedNs),
                                    "muc_persistent",
                                    "muc_unmoderated",
                                    "muc_unsecured",
                                    "urn:xmpp:ping",
                                    "jabber:iq:register",
                                    "vcard-temp"};
  if (kind == RoomKind::group) {
    for (const char* f : {"muc_membersonly", "muc_hidden"}) features.emplace_back(f);
  } else {
    for (const char* f : {"muc_open", "muc_public"}) features.emplace_back(f);
  }
  features.emplace_back(non_anonymous ? "muc_nonanonymous" : "muc_semianonymous");
  return features;
}

Element room_disco_info(const RoomInfo& info) {
  Element query("query", std::string(kDiscoInfoNs));
  Element& identity = query.add_child("identity", std::string(kDiscoInfoNs));
  identity.set_attr("category", "conference").set_attr("type", "text");
  if (!info.name.empty()) identity.set_attr("name", info.name);
  for (const auto& var : room_features(info.kind, info.non_anonymous))
    query.add_child("feature", std::string(kDiscoInfoNs)).set_attr("var", var);
  Element& form = query.add_child("x", "jabber:x:data");
  form.set_attr("type", "result");
  form.add_child(form_field("FORM_TYPE", "http://jabber.org/protocol/muc#roominfo", "hidden"));
  form.add_child(form_field("muc#roominfo_occupants", std::to_string(info.occupants)));
  form.add_child(form_field("muc#roominfo_description", info.description));
  form.add_child(form_field("muc#roominfo_subject", info.subject));
  form.add_child(form_field("muc#roomconfig_persistentroom", "1"));
  form.add_child(
      form_field("muc#roomconfig_membersonly", info.kind == RoomKind::group ? "1" : "0"));
  form.add_child(form_field("muc#roomconfig_whois", info.non_anonymous ? "anyone" : "moderators"));
  form.add_child(form_field("muc#roomconfig_allowpm", "none"));
  if (!info.avatar_hash.empty())  // XEP-0486 §3.1
    form.add_child(form_field("muc#roominfo_avatarhash", info.avatar_hash, "text-multi"));
  return query;
}

std::string occupant_id(std::string_view secret, std::string_view room_jid, std::string_view who) {
  std::string data(room_jid);
  data.push_back('\0');
  data.append(who.empty() ? std::string_view("\1user") : who);  // no legacy id is "\1user"
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size))
    throw std::runtime_error("HMAC-SHA256 failed");
  return base64url(std::string_view(reinterpret_cast<const char*>(mac), size), 22);
}

Element mam_result(std::string_view to, std::string_view room, std::string_view query_id,
                   std::string_view stanza_id, std::int64_t ts_ms, Element archived) {
  Element message("message", std::string(kComponentNs));
  message.set_attr("from", std::string(room)).set_attr("to", std::string(to));
  Element& result = message.add_child("result", std::string(kMamNs));
  if (!query_id.empty()) result.set_attr("queryid", std::string(query_id));
  result.set_attr("id", std::string(stanza_id));
  Element& forwarded = result.add_child("forwarded", std::string(kForwardedNs));
  const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(ts_ms));
  forwarded.add_child("delay", std::string(kDelayNs)).set_attr("stamp", xmpp_datetime(when));
  forwarded.add_child(std::move(archived));
  return message;
}

}  // namespace legate
