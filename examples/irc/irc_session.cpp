// IrcSession: connections, and IRC's lines turned into rooms, participants and contacts.
#include "irc_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <legate/legacy/contact.hpp>
#include "irc_flood.hpp"
#include "irc_rooms.hpp"
#include "irc_text.hpp"

namespace irc {
namespace {

using legate::ErrorCondition;
using legate::StanzaError;

constexpr auto kJoinTimeout = std::chrono::seconds(15);

// Waits until `done` or `timeout`. `event` never expires by itself: whoever sets `done`
// cancels it. Each waiter has its own deadline, whose alarm wakes every waiter of the event
// (the others wait again), so one waiter never cuts another's wait short.
// `pending` has a steady_timer `done` and a bool `finished`.
template <class Pending>
asio::awaitable<void> wait_for_event(std::shared_ptr<Pending> pending,
                                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer alarm(co_await asio::this_coro::executor, timeout);
  alarm.async_wait([weak = std::weak_ptr<Pending>(pending)](boost::system::error_code ec) {
    if (auto p = weak.lock(); p && !ec) p->done.cancel();
  });
  while (!pending->finished && std::chrono::steady_clock::now() < deadline)
    co_await pending->done.async_wait(asio::as_tuple(asio::use_awaitable));
  alarm.cancel();
}

class IrcRoster : public legate::Roster {
 public:
  explicit IrcRoster(IrcSession& session) : legate::Roster(session), irc_(session) {}
  // nick%server: IRC users and services, for private messages.
  std::optional<legate::LegacyId> legacy_id_of(std::string_view local) const override {
    const std::size_t at = local.rfind('%');
    if (local.empty() || is_channel(local) || at == std::string_view::npos || at == 0 ||
        at + 1 == local.size())
      return std::nullopt;
    return irc_.key_of(local.substr(0, at), local.substr(at + 1));
  }

 private:
  const IrcSession& irc_;
};

// What a JOIN refusal (numeric) is in XMPP terms (XEP-0045 §7.2).
ErrorCondition join_refusal(std::string_view numeric) {
  if (numeric == "471") return ErrorCondition::service_unavailable;    // full
  if (numeric == "473") return ErrorCondition::registration_required;  // invite only
  if (numeric == "474") return ErrorCondition::forbidden;              // banned
  if (numeric == "475") return ErrorCondition::not_authorized;         // key
  if (numeric == "403") return ErrorCondition::item_not_found;
  if (numeric == "476" || numeric == "479")  // bad channel mask or name
    return ErrorCondition::jid_malformed;
  if (numeric == "437") return ErrorCondition::resource_constraint;  // held after a split
  // 405 too many channels, 477 needs a registered nick, 489 TLS users only, 470 forwarded…
  return ErrorCondition::not_allowed;
}

}  // namespace

std::string irc_key(std::string_view name, std::string_view server, CaseMapping mapping) {
  // Host names fold as before case mappings were followed, so that stored keys still match.
  return irc_lower(name, mapping) + "%" + irc_lower(server);
}

std::pair<std::string, std::string> split_key(std::string_view key) {
  const std::size_t at = key.rfind('%');
  if (at == std::string_view::npos) return {std::string(key), ""};
  return {std::string(key.substr(0, at)), std::string(key.substr(at + 1))};
}

struct IrcSession::PendingRequest {
  explicit PendingRequest(asio::any_io_executor executor) : done(executor) {
    done.expires_at(asio::steady_timer::time_point::max());
  }
  asio::steady_timer done;  // cancelled when the join ends
  std::optional<StanzaError> error;
  bool finished = false;
  void finish(std::optional<StanzaError> failure = std::nullopt) {
    finished = true;
    error = std::move(failure);
    done.cancel();
  }
};

struct IrcSession::PendingVersion {
  explicit PendingVersion(asio::any_io_executor executor) : done(executor) {
    done.expires_at(asio::steady_timer::time_point::max());
  }
  asio::steady_timer done;  // cancelled when the answer comes
  std::optional<std::string> answer;
  bool finished = false;
};

asio::awaitable<std::string> IrcSession::change_nick(std::string server, std::string wanted) {
  IrcClient* c = client(server);
  if (!c) throw StanzaError(ErrorCondition::recipient_unavailable, "not connected to " + server);
  if (!usable_nick(wanted) || wanted.size() > 30)
    throw StanzaError(ErrorCondition::jid_malformed, "not an IRC nick: " + wanted);
  if (same_nick(*c, wanted, c->nick())) co_return c->nick();
  if (nick_changes_.contains(server))
    throw StanzaError(ErrorCondition::conflict, "another nick change is under way");
  auto pending = std::make_shared<PendingRequest>(executor());
  nick_changes_[server] = pending;
  c->send(irc_command("NICK", {wanted}));
  co_await wait_for_event(pending, std::chrono::seconds(10));
  if (auto found = nick_changes_.find(server);
      found != nick_changes_.end() && found->second == pending)
    nick_changes_.erase(found);
  if (!pending->finished)
    throw StanzaError(ErrorCondition::remote_server_timeout, server + " did not answer the NICK");
  if (pending->error) throw *pending->error;
  IrcClient* now = client(server);
  co_return now ? now->nick() : wanted;
}

void IrcSession::nick_change_ended(const IrcClient& client,
                                   std::optional<legate::StanzaError> error) {
  auto it = nick_changes_.find(host_key(client));
  if (it == nick_changes_.end()) return;
  it->second->finish(std::move(error));
  nick_changes_.erase(it);
}

asio::awaitable<std::string> IrcSession::ask_version(std::string server, std::string nick) {
  IrcClient* c = client(server);
  if (!c) throw StanzaError(ErrorCondition::recipient_unavailable, "not connected to " + server);
  const std::string key = key_of(nick, server);
  auto [it, fresh] = versions_.try_emplace(key, nullptr);
  if (fresh) {
    it->second = std::make_shared<PendingVersion>(executor());
    c->send(irc_command("PRIVMSG", {nick}, ctcp("VERSION")));
  }
  std::shared_ptr<PendingVersion> pending = it->second;
  co_await wait_for_event(pending, std::chrono::seconds(5));
  if (auto found = versions_.find(key); found != versions_.end() && found->second == pending)
    versions_.erase(found);
  if (!pending->answer)
    throw StanzaError(ErrorCondition::remote_server_timeout, nick + " did not say its version");
  co_return *pending->answer;
}

void IrcSession::version_answered(const IrcClient& client, std::string_view nick,
                                  std::string answer) {
  auto it = versions_.find(key_of(nick, host_key(client)));
  if (it == versions_.end()) return;
  it->second->answer = std::move(answer);
  it->second->finished = true;
  it->second->done.cancel();
  versions_.erase(it);
}

std::unique_ptr<legate::Rooms> IrcSession::make_rooms() {
  return std::make_unique<IrcRooms>(*this);
}

std::unique_ptr<legate::Roster> IrcSession::make_roster() {
  return std::make_unique<IrcRoster>(*this);
}

legate::LegacyId IrcSession::next_message_id() {
  return "irc-" + std::to_string(++next_id_) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

IrcServer IrcSession::throttled(const IrcServer& server) const {
  const auto floods = floods_.find(irc_lower(server.host));
  return floods == floods_.end() ? server : slowed_for_floods(server, floods->second);
}

IrcClient* IrcSession::client(std::string_view server) {
  auto it = clients_.find(server);
  return it == clients_.end() || !it->second->open() ? nullptr : it->second.get();
}

asio::awaitable<std::string> IrcSession::login() {
  const IrcAccount account = user().data<IrcAccount>();
  if (account.servers.empty()) throw std::runtime_error("no IRC server registered");
  quitting_ = false;
  rooms().all();  // every stored room registers itself: IRC lines find them
  std::string hosts;
  std::string failure;
  for (const IrcServer& server : account.servers) {
    if (disconnected_.contains(server.host)) continue;
    auto client = std::make_shared<IrcClient>(executor(), throttled(server));
    try {
      co_await client->connect(kConnectTimeout);
    } catch (const std::exception& e) {
      failure = e.what();
      break;
    }
    spdlog::info("{}: connected to {} as {}", user_jid().str(), server.host, client->nick());
    clients_[host_key(*client)] = client;
    spawn(read(client));
    hosts += (hosts.empty() ? "" : ", ") + server.host;
  }
  if (!failure.empty()) {  // the login fails whole: nothing of it stays connected
    quitting_ = true;
    for (auto& [host, c] : clients_) c->close();
    clients_.clear();
    throw std::runtime_error(failure);
  }
  // Back in the channels the user is in (after a lost connection or a restart).
  for (auto& [key, room] : *rooms_) {
    if (!room->joined()) continue;
    if (IrcClient* c = client(room->server())) {
      joins_.try_emplace(key, std::make_shared<PendingRequest>(executor()));
      c->send(irc_command("JOIN", {room->channel()}));
    }
  }
  co_return hosts.empty() ? "Disconnected from IRC" : "Connected to " + hosts;
}

asio::awaitable<void> IrcSession::logout() {
  quitting_ = true;
  auto clients = std::move(clients_);
  clients_.clear();
  for (auto& [host, client] : clients) co_await client->quit("Leaving");
  in_channel_.clear();
  abandon_joins("");
}

void IrcSession::forget_channels_of(std::string_view server) {
  const std::string suffix = "%" + std::string(server);
  std::erase_if(in_channel_, [&suffix](const std::string& key) { return key.ends_with(suffix); });
}

void IrcSession::abandon_joins(std::string_view suffix) {
  std::erase_if(joins_, [suffix](auto& entry) {
    if (!entry.first.ends_with(suffix)) return false;
    entry.second->finish(StanzaError(ErrorCondition::recipient_unavailable, "disconnected"));
    return true;
  });
}

asio::awaitable<void> IrcSession::read(std::shared_ptr<IrcClient> client) {
  const auto began = std::chrono::steady_clock::now();
  const std::string reason =
      co_await client->run([this, c = client.get()](const IrcLine& line) { on_line(*c, line); },
                           [this, c = client.get()](std::string_view channel) -> Recoder* {
                             IrcRoom* room = room_of(*c, channel);
                             return room ? room->decoder() : nullptr;
                           });
  const auto current = clients_.find(host_key(*client));
  if (quitting_ || current == clients_.end() || current->second != client) co_return;
  // A connection that lasted less than a minute: wait 2, 4… up to 300 s before the next.
  quick_drops_ =
      std::chrono::steady_clock::now() - began < std::chrono::minutes(1) ? quick_drops_ + 1 : 0;
  if (quick_drops_ > 1) {
    asio::steady_timer pause(
        executor(), std::chrono::seconds(std::min(300u, 1u << std::min(quick_drops_, 9u))));
    co_await pause.async_wait(asio::use_awaitable);
    if (quitting_) co_return;
  }
  forget_channels_of(host_key(*client));
  if (closed_for_flooding(reason)) {
    ++floods_[host_key(*client)];
    // From the stored settings: the client's own are already slowed by the earlier floods.
    const IrcAccount account = user().data<IrcAccount>();
    if (const IrcServer* settings = account.server(client->server().host)) {
      const IrcServer slower = throttled(*settings);
      spdlog::warn(
          "{}: {} closed the connection for flooding; lines to it now go out {} at once, "
          "then one per {} ms",
          user_jid().str(), settings->host, slower.burst, slower.interval.count());
    }
  }
  spdlog::info("{}: lost the connection to {}: {}", user_jid().str(), client->server().host,
               reason);
  send_gateway_status("Reconnecting to " + client->server().host + " (" + reason + ")",
                      legate::PresenceShow::away);
  re_login();  // logs out and in again; the scheduler retries with backoff
}

void IrcSession::say(IrcClient& client, std::string_view target, std::string_view body,
                     Recoder* encoder) {
  bool action = false;
  if (body.starts_with("/me ")) {
    action = true;
    body.remove_prefix(4);
  }
  const std::size_t full = irc_text_budget(client.nick(), target);
  const std::size_t budget = action ? (full > 9 ? full - 9 : 0) : full;
  for (const std::string& piece : split_irc_text(body, budget))
    client.send(irc_command("PRIVMSG", {target}, action ? ctcp("ACTION", piece) : piece), encoder);
}

asio::awaitable<void> IrcSession::join(IrcRoom& room) {
  if (!client(room.server()) && disconnected_.contains(room.server()))
    co_await connect_server(room.server());
  IrcClient* c = client(room.server());
  if (!c)
    throw StanzaError(ErrorCondition::recipient_unavailable, "not connected to " + room.server());
  const std::string key = room.legacy_id();
  if (in_channel_.contains(key)) co_return;
  auto [it, fresh] = joins_.try_emplace(key, nullptr);
  if (fresh) {
    it->second = std::make_shared<PendingRequest>(executor());
    c->send(irc_command("JOIN", {room.channel()}));
  }
  std::shared_ptr<PendingRequest> pending = it->second;
  co_await wait_for_event(pending, kJoinTimeout);
  if (auto found = joins_.find(key); found != joins_.end() && found->second == pending)
    joins_.erase(found);
  if (!pending->finished)
    throw StanzaError(ErrorCondition::remote_server_timeout,
                      room.server() + " did not answer the JOIN of " + room.channel());
  if (pending->error) throw *pending->error;
}

void IrcSession::join_done(const IrcClient& client, std::string_view channel) {
  const std::string key = key_of(channel, host_key(client));
  if (!rooms_->contains(key)) return;  // a 366 for a channel we have no room for
  in_channel_.insert(key);
  if (auto it = joins_.find(key); it != joins_.end()) {
    it->second->finish();  // its waiter (if any) holds it
    joins_.erase(it);
  }
}

bool IrcSession::in_channel(const IrcRoom& room) const {
  return in_channel_.contains(room.legacy_id());
}

void IrcSession::left_channel(const IrcRoom& room) {
  in_channel_.erase(room.legacy_id());
}

void IrcSession::join_failed(const IrcClient& client, std::string_view channel,
                             std::string_view numeric, std::string_view text) {
  auto it = joins_.find(key_of(channel, host_key(client)));
  if (it == joins_.end()) return;
  spdlog::info("{}: {} refused to join {}: {}", user_jid().str(), client.server().host, channel,
               text);
  it->second->finish(StanzaError(join_refusal(numeric), std::string(text)));
  joins_.erase(it);
}

IrcRoom* IrcSession::room_of(const IrcClient& client, std::string_view channel) {
  auto it = rooms_->find(key_of(channel, host_key(client)));
  return it == rooms_->end() ? nullptr : it->second;
}

legate::asio::awaitable<legate::LegacyId> IrcSession::on_text(legate::Contact& to,
                                                              const legate::Text& text) {
  auto [nick, server] = split_key(to.legacy_id());
  IrcClient* c = client(server);
  if (!c) throw StanzaError(ErrorCondition::recipient_unavailable, "not connected to " + server);
  say(*c, to.name().empty() ? nick : to.name(), text.body);
  co_return next_message_id();
}

void IrcSession::on_line(IrcClient& client, const IrcLine& line) {
  // From a user (nick!user@host): the nick must be usable as an occupant's; a server's
  // lines are numerics and notices.
  if (line.prefix.find('!') != std::string::npos && !usable_nick(line.nick())) {
    spdlog::debug("{}: {} sent a line from an unusable nick", user_jid().str(),
                  client.server().host);
    return;
  }
  try {
    if (line.command == "PRIVMSG" || line.command == "NOTICE") return on_privmsg(client, line);
    if (!line.command.empty() && line.command[0] >= '0' && line.command[0] <= '9')
      return on_numeric(client, line);
    on_membership(client, line);
  } catch (const std::exception& e) {
    spdlog::warn("{}: {} {} not handled: {}", user_jid().str(), client.server().host, line.command,
                 e.what());
  }
}

}  // namespace irc
