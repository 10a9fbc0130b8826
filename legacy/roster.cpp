// Roster: contacts of one session, loaded from and stored in SQLite on demand.
#include "legacy/roster.hpp"

#include "component/component.hpp"
#include "legacy/session.hpp"
#include "storage/contact_store.hpp"

namespace legate {

Roster::Roster(Session& session) : session_(session) {}
Roster::~Roster() = default;

std::string Roster::local_part(const LegacyId& legacy_id) const {
  return escape_local(legacy_id);
}

std::optional<LegacyId> Roster::legacy_id_of(std::string_view local_part) const {
  if (local_part.empty()) return std::nullopt;
  return unescape_local(local_part);
}

Contact& Roster::by_legacy_id(const LegacyId& legacy_id) {
  auto it = contacts_.find(legacy_id);
  if (it != contacts_.end()) return *it->second;
  ContactStore store(session_.host().database());
  const std::int64_t user_id = session_.user().id;
  std::optional<ContactRecord> record = store.by_legacy_id(user_id, legacy_id);
  if (!record) {
    ContactRecord fresh;
    fresh.user_id = user_id;
    fresh.legacy_id = legacy_id;
    // Stored as the server will address it: servers case-fold local parts.
    fresh.local = Jid(local_part(legacy_id) + "@x").local();
    fresh.presence_show = "unavailable";
    record = store.upsert(fresh);
  }
  auto contact = std::make_unique<Contact>(session_, std::move(*record));
  Contact& ref = *contact;
  contacts_.emplace(legacy_id, std::move(contact));
  by_local_.emplace(ref.jid().local(), &ref);
  return ref;
}

Contact* Roster::by_jid(const Jid& jid) {
  if (jid.domain() != session_.host().component().jid().domain() || !jid.has_local())
    return nullptr;
  if (auto it = by_local_.find(jid.local()); it != by_local_.end()) return it->second;
  // Stored contacts first: their local part may have been mapped differently.
  if (auto record =
          ContactStore(session_.host().database()).by_local(session_.user().id, jid.local())) {
    return &by_legacy_id(record->legacy_id);
  }
  auto legacy_id = legacy_id_of(jid.local());
  if (!legacy_id) return nullptr;
  return &by_legacy_id(*legacy_id);
}

std::vector<Contact*> Roster::all() {
  std::vector<Contact*> out;
  for (const auto& record : ContactStore(session_.host().database()).all(session_.user().id))
    out.push_back(&by_legacy_id(record.legacy_id));
  return out;
}

}  // namespace legate
