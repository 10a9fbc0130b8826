// IrcSession: the user's own view of their connections: what is connected, disconnecting
// from one server, and connecting to it again.
#include <spdlog/spdlog.h>

#include "irc_gateway.hpp"
#include "irc_rooms.hpp"
#include "irc_session.hpp"

namespace irc {

using legate::ErrorCondition;
using legate::StanzaError;

std::string IrcSession::connection_info() const {
  std::string info;
  for (const IrcServer& server : user().data<IrcAccount>().servers) {
    info += info.empty() ? "" : "\n";
    auto it = clients_.find(server.host);
    if (it == clients_.end() || !it->second->open()) {
      info += server.host + ": " +
              (disconnected_.contains(server.host) ? "disconnected" : "not connected");
      continue;
    }
    const IrcClient& c = *it->second;
    info += server.host + ": connected as " + c.nick() + " on port " + std::to_string(c.port()) +
            (server.tls ? server.verify_certificate ? " (TLS)" : " (TLS, certificate not checked)"
                        : " (no TLS)");
    std::string channels;
    for (const auto& [key, room] : *rooms_)
      if (room->server() == server.host && in_channel_.contains(key))
        channels += (channels.empty() ? "" : ", ") + room->channel();
    info += channels.empty() ? ", in no channel" : ", in " + channels;
  }
  return info.empty() ? "No IRC server." : info;
}

asio::awaitable<void> IrcSession::disconnect(std::string server, std::string reason) {
  auto it = clients_.find(server);
  if (it == clients_.end()) throw StanzaError(ErrorCondition::item_not_found, "not connected");
  std::shared_ptr<IrcClient> gone = it->second;
  clients_.erase(it);  // its reader sees that and does not reconnect
  disconnected_.insert(server);
  forget_channels_of(server);
  abandon_joins("%" + server);
  for (auto& [key, room] : *rooms_)
    if (room->server() == server && room->joined())
      room->user_removed("Disconnected from " + server);
  spdlog::info("{}: disconnects from {}", user_jid().str(), server);
  // Named first: g++ 12 mishandles a temporary built in a co_await's operand.
  std::string message = reason.empty() ? std::string("Leaving") : std::move(reason);
  co_await gone->quit(std::move(message));
}

asio::awaitable<void> IrcSession::connect_server(std::string server) {
  const IrcAccount account = user().data<IrcAccount>();
  const IrcServer* settings = account.server(server);
  if (!settings) throw StanzaError(ErrorCondition::item_not_found, "no such server: " + server);
  auto fresh = std::make_shared<IrcClient>(executor(), throttled(*settings));
  std::string failure;
  try {
    co_await fresh->connect(kConnectTimeout);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) throw StanzaError(ErrorCondition::recipient_unavailable, failure);
  if (quitting_ || client(server)) {  // logged out, or another join connected it meanwhile
    fresh->close();
    co_return;
  }
  disconnected_.erase(server);
  spdlog::info("{}: connected to {} again as {}", user_jid().str(), server, fresh->nick());
  clients_[server] = fresh;
  spawn(read(fresh));
}

}  // namespace irc
