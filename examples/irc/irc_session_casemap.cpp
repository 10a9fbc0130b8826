// IrcSession: how each server folds names (CASEMAPPING), for the keys of its channels and
// nicks. Learned from the server's 005 and stored with the server, so that keys stay the
// same while it is disconnected and after a restart.
#include <spdlog/spdlog.h>

#include "irc_rooms.hpp"
#include "irc_session.hpp"

namespace irc {

CaseMapping IrcSession::case_mapping_of(std::string_view server) const {
  if (!case_mappings_) {
    case_mappings_.emplace();
    for (const IrcServer& s : user().data<IrcAccount>().servers)
      (*case_mappings_)[irc_lower(s.host)] = s.case_mapping;
  }
  auto it = case_mappings_->find(server);
  return it == case_mappings_->end() ? CaseMapping::rfc1459 : it->second;
}

std::string IrcSession::key_of(std::string_view name, std::string_view server) const {
  return irc_key(name, server, case_mapping_of(server));
}

void IrcSession::learned_case_mapping(const IrcClient& client) {
  const auto told = client.isupport().case_mapping();
  const std::string server = host_key(client);
  if (!told || *told == case_mapping_of(server)) return;
  (*case_mappings_)[server] = *told;
  spdlog::info("{}: {} folds names as {}", user_jid().str(), client.server().host,
               to_string(*told));
  for (const auto& [key, room] : *rooms_)  // made before: their names may now fold otherwise
    if (room->server() == server && key_of(room->channel(), server) != key)
      spdlog::warn("{}: the room of {} on {} no longer matches its channel's name ({})",
                   user_jid().str(), room->channel(), server, to_string(*told));
  spawn(store_case_mapping(server, *told));
}

asio::awaitable<void> IrcSession::store_case_mapping(std::string server, CaseMapping mapping) {
  IrcAccount account = user().data<IrcAccount>();
  bool changed = false;
  for (IrcServer& s : account.servers)
    if (irc_lower(s.host) == server && s.case_mapping != mapping) {
      s.case_mapping = mapping;
      changed = true;
    }
  if (changed) co_await update_legacy_data(std::move(account));
}

}  // namespace irc
