// IrcRoom: a channel's JOIN, NAMES, messages and topic.
#include "irc_rooms.hpp"

#include <spdlog/spdlog.h>

#include <legate/component/stanza_error.hpp>
#include "irc_account.hpp"
#include "irc_line.hpp"
#include "irc_session.hpp"

namespace irc {

IrcRoom::IrcRoom(IrcSession& session, legate::RoomRecord record)
    : legate::Room(session, std::move(record)), irc_(session), index_(session.room_index()) {
  std::tie(channel_, server_) = split_key(legacy_id());
  set_settings(irc_.user().data<IrcAccount>().channel(legacy_id()));
  (*index_)[legacy_id()] = this;
}

IrcRoom::~IrcRoom() {
  if (auto it = index_->find(legacy_id()); it != index_->end() && it->second == this)
    index_->erase(it);
}

legate::asio::awaitable<void> IrcRoom::update_info() {
  set_kind(legate::RoomKind::channel);
  if (name().empty()) set_name(channel_);
  co_return;
}

legate::asio::awaitable<void> IrcRoom::on_join() {
  // The user's occupant is their IRC nick (not their JID's local part), so that an IRC user
  // of that name is never taken for them.
  if (IrcClient* client = irc_.client(server_)) set_user_nick(client->nick());
  co_await irc_.join(*this);
}

std::string IrcRoom::real_jid_of(legate::Participant& participant) {
  std::string address = irc_.roster().local_part(irc_.key_of(participant.nick(), server_));
  address += '@';
  address += jid().domain();
  return address;
}

void IrcRoom::set_settings(ChannelSettings settings) {
  settings_ = std::move(settings);
  decode_.reset();
  encode_.reset();
  try {  // names were checked when the user set them
    if (!settings_.encoding_in.empty()) decode_.emplace(settings_.encoding_in, "UTF-8");
    if (!settings_.encoding_out.empty())
      encode_.emplace("UTF-8", settings_.encoding_out + "//TRANSLIT");
  } catch (const std::invalid_argument& e) {
    spdlog::warn("{}: {}: {}", irc_.user_jid().str(), channel_, e.what());
  }
}

std::size_t IrcRoom::history_on_join() const {
  if (settings_.max_history) return *settings_.max_history;
  const IrcAccount account = irc_.user().data<IrcAccount>();
  const IrcServer* server = account.server(server_);
  return server ? server->max_history : IrcServer{}.max_history;
}

bool IrcRoom::record_history() const {
  if (settings_.record_history) return *settings_.record_history;
  return irc_.user().preference<bool>("record_history", true);
}

void IrcRoom::on_all_left(std::string_view status) {
  IrcClient* client = irc_.client(server_);
  if (!client || !irc_.in_channel(*this)) return;
  const bool persistent = settings_.persistent ? *settings_.persistent
                                               : irc_.user().preference<bool>("persistent", false);
  if (persistent) return;  // stays on IRC
  client->send(
      status.empty() ? irc_command("PART", {channel_}) : irc_command("PART", {channel_}, status),
      encoder());
  irc_.left_channel(*this);
}

legate::asio::awaitable<std::string> IrcRoom::on_nick_change(std::string wanted) {
  // A nick is the user's on the whole server: every channel there shows the change.
  co_return co_await irc_.change_nick(server_, std::move(wanted));
}

legate::asio::awaitable<legate::LegacyId> IrcRoom::on_text(const legate::Text& text) {
  IrcClient* client = irc_.client(server_);
  if (!client)
    throw legate::StanzaError(legate::ErrorCondition::recipient_unavailable,
                              "not connected to " + server_);
  irc_.say(*client, channel_, text.body, encoder());
  co_return irc_.next_message_id();
}

legate::asio::awaitable<void> IrcRoom::on_set_subject(std::string subject) {
  IrcClient* client = irc_.client(server_);
  if (!client)
    throw legate::StanzaError(legate::ErrorCondition::recipient_unavailable,
                              "not connected to " + server_);
  // Shown at once as the user's; a server refusal (482: not an operator) comes as a notice.
  client->send(irc_command("TOPIC", {channel_}, subject), encoder());
  co_return;
}

legate::asio::awaitable<legate::OccupantVersion> IrcRoom::on_occupant_version(
    legate::Participant& who) {
  std::string nick = who.nick();  // `who` may be gone after the wait
  std::string answer = co_await irc_.ask_version(server_, std::move(nick));
  co_return legate::OccupantVersion{.name = std::move(answer), .version = "", .os = ""};
}

legate::asio::awaitable<void> IrcRoom::on_correct(const legate::LegacyId&,
                                                  const legate::Text& text) {
  IrcClient* client = irc_.client(server_);
  if (!client)
    throw legate::StanzaError(legate::ErrorCondition::recipient_unavailable,
                              "not connected to " + server_);
  irc_.say(*client, channel_, "* " + text.body, encoder());
  co_return;
}

namespace {

// A corrected text may not grow beyond this (a repeated s/x/long/ would grow it without end).
constexpr std::size_t kMaxCorrected = 2048;

// "s/old/new/" (the last slash optional): old and new, or nullopt.
std::optional<std::pair<std::string, std::string>> sed_correction(std::string_view body) {
  if (body.size() < 4 || !body.starts_with("s/")) return std::nullopt;
  body.remove_prefix(2);
  const std::size_t slash = body.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  std::string_view replacement = body.substr(slash + 1);
  if (replacement.ends_with('/')) replacement.remove_suffix(1);
  if (replacement.find('/') != std::string_view::npos) return std::nullopt;
  return std::pair{std::string(body.substr(0, slash)), std::string(replacement)};
}

}  // namespace

void IrcRoom::message_from(std::string_view nick, std::string body, legate::LegacyId id) {
  const std::string key = irc_.fold(server_, nick);
  legate::Participant& who = participant_by_nick(nick);
  auto last = last_said_.find(key);
  if (auto sed = sed_correction(body); sed && last != last_said_.end()) {
    const std::size_t at = last->second.body.find(sed->first);
    if (at != std::string::npos &&
        last->second.body.size() - sed->first.size() + sed->second.size() <= kMaxCorrected) {
      last->second.body.replace(at, sed->first.size(), sed->second);
      who.correct(last->second.id, last->second.body);
      return;
    }
  }
  who.send_text(body, {.legacy_id = id, .fresh_id = true});  // next_message_id(): unique
  last_said_.insert_or_assign(key, Said{std::move(id), std::move(body)});
}

void IrcRoom::names(std::string_view list) {
  IrcClient* client = irc_.client(server_);
  if (!client) return;
  const Isupport& modes = client->isupport();
  while (!list.empty()) {
    const std::size_t space = list.find(' ');
    std::string_view entry = list.substr(0, space);
    list = space == std::string_view::npos ? std::string_view() : list.substr(space + 1);
    std::string held;  // one prefix without multi-prefix, all of them with it
    while (!entry.empty() && modes.mode_of_prefix(entry.front())) {
      held += modes.mode_of_prefix(entry.front());
      entry.remove_prefix(1);
    }
    if (!usable_nick(entry)) continue;
    const std::string folded = irc_.fold(server_, entry);
    const bool me = folded == irc_.fold(server_, client->nick());
    if (!me) listed_.insert(folded);
    legate::Participant& p = me ? user() : participant_by_nick(entry);
    apply_modes(p, modes_[folded] = std::move(held));
    if (!p.present()) p.joined();
  }
}

void IrcRoom::names_done() {
  for (legate::Participant* p : participants())
    if (!p->is_user() && p->present() && !listed_.contains(irc_.fold(server_, p->nick()))) {
      const std::string nick = p->nick();
      forget_modes(nick);
      p->left();
      forget_participant(nick);
    }
  listed_.clear();
}

legate::Participant* IrcRoom::by_irc_nick(std::string_view nick) {
  IrcClient* client = irc_.client(server_);
  if (client && irc_.fold(server_, nick) == irc_.fold(server_, client->nick())) return &user();
  return find_participant(nick);
}

void IrcRoom::forget_modes(std::string_view nick) {
  modes_.erase(irc_.fold(server_, nick));
}

void IrcRoom::change_membership(std::string_view nick, char mode, bool set) {
  legate::Participant* p = by_irc_nick(nick);
  if (!p) return;
  std::string& held = modes_[irc_.fold(server_, nick)];
  const std::size_t at = held.find(mode);
  if (set && at == std::string::npos) held += mode;
  if (!set && at != std::string::npos) held.erase(at, 1);
  apply_modes(*p, held);
}

void IrcRoom::renamed(std::string_view old_nick, std::string_view fresh) {
  auto it = modes_.find(irc_.fold(server_, old_nick));
  if (it == modes_.end()) return;
  std::string held = std::move(it->second);
  modes_.erase(it);
  modes_[irc_.fold(server_, fresh)] = std::move(held);
}

void IrcRoom::apply_modes(legate::Participant& participant, const std::string& held) {
  IrcClient* client = irc_.client(server_);
  char highest = 0;
  if (client)
    for (char mode : client->isupport().membership_modes())
      if (held.find(mode) != std::string::npos) {
        highest = mode;
        break;
      }
  apply_membership(participant, highest);
}

void apply_membership(legate::Participant& participant, char mode) {
  using legate::Affiliation;
  using legate::Role;
  switch (mode) {
    case 'q':
    case 'a':
    case 'o':
      participant.set_affiliation(Affiliation::admin);
      participant.set_role(Role::moderator);
      break;
    case 'h':
      participant.set_affiliation(Affiliation::member);
      participant.set_role(Role::moderator);
      break;
    case 'v':
      participant.set_affiliation(Affiliation::member);
      participant.set_role(Role::participant);
      break;
    default:
      participant.set_affiliation(Affiliation::none);
      participant.set_role(Role::participant);
  }
}

IrcRooms::IrcRooms(IrcSession& session) : legate::Rooms(session), irc_(session) {}

std::optional<legate::LegacyId> IrcRooms::legacy_id_of(std::string_view local) const {
  if (local.size() < 3 || (local.front() != '#' && local.front() != '&')) return std::nullopt;
  const std::size_t at = local.rfind('%');
  if (at == std::string_view::npos || at < 2 || at + 1 == local.size()) return std::nullopt;
  // Channel names have no space, comma or BEL (RFC 2812 §1.3); the JID has no space anyway.
  if (local.substr(0, at).find_first_of(",\x07") != std::string_view::npos) return std::nullopt;
  return irc_.key_of(local.substr(0, at), local.substr(at + 1));
}

std::unique_ptr<legate::Room> IrcRooms::make_room(legate::RoomRecord record) {
  return std::make_unique<IrcRoom>(irc_, std::move(record));
}

}  // namespace irc
