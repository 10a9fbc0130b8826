// IrcSession: what the server says (messages, membership, numerics) shown on XMPP.
#include <spdlog/spdlog.h>

#include <legate/legacy/contact.hpp>
#include "irc_rooms.hpp"
#include "irc_session.hpp"
#include "irc_text.hpp"

namespace irc {
namespace {

constexpr std::string_view kVersion = "Legate IRC 0.1 (https://legate.invalid)";

}  // namespace

void IrcSession::answer_ctcp(IrcClient& client, std::string_view from, const Ctcp& request) {
  std::string answer;
  if (request.command == "VERSION")
    answer = ctcp("VERSION", kVersion);
  else if (request.command == "PING")
    answer = ctcp("PING", request.argument);
  else
    return;  // the others (TIME, CLIENTINFO…) say nothing about the user
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ctcp_answer_ < std::chrono::seconds(1)) return;
  last_ctcp_answer_ = now;
  client.send(irc_command("NOTICE", {from}, answer));
}

void IrcSession::on_privmsg(IrcClient& client, const IrcLine& line) {
  const std::string_view from = line.nick();
  const std::string_view target = line.param(0);
  std::string_view text = line.param(1);
  if (line.prefix.find('!') == std::string::npos && !is_channel(target)) {
    spdlog::debug("{}: notice from {}: {}", user_jid().str(), line.prefix, text);
    return;  // the server's own notices (hostname lookups…)
  }
  std::string body;
  if (auto request = parse_ctcp(text)) {
    if (request->command != "ACTION") {
      if (line.command == "NOTICE" && request->command == "VERSION")
        version_answered(client, from, plain_irc_text(request->argument));
      else if (line.command == "PRIVMSG")
        answer_ctcp(client, from, *request);
      return;
    }
    body = "/me " + plain_irc_text(request->argument);
  } else {
    body = plain_irc_text(text);
  }
  const legate::SendOptions options{.legacy_id = next_message_id()};
  if (is_channel(target)) {
    if (IrcRoom* room = room_of(client, target))
      room->message_from(from, std::move(body), options.legacy_id);
    return;
  }
  legate::Contact& contact = roster().by_legacy_id(key_of(from, host_key(client)));
  if (contact.name() != from) contact.set_name(std::string(from));
  contact.send_text(body, options);
}

void IrcSession::on_membership(IrcClient& client, const IrcLine& line) {
  const std::string_view nick = line.nick();
  const bool me = same_nick(client, nick, client.nick());
  const std::string host = host_key(client);
  if (line.command == "JOIN") {
    IrcRoom* room = room_of(client, line.param(0));
    if (!room) return;
    if (me) {
      room->set_name(std::string(line.param(0)));  // the channel as the server spells it
    } else {
      room->participant_by_nick(nick).joined();
    }
  } else if (line.command == "PART") {
    IrcRoom* room = room_of(client, line.param(0));
    if (!room) return;
    if (me) {
      left_channel(*room);
      room->user_removed("You left " + std::string(line.param(0)));
    } else if (legate::Participant* p = room->find_participant(nick)) {
      room->forget_modes(nick);
      p->left(line.param(1));
      room->forget_participant(nick);  // nicks that passed by are not kept
    }
  } else if (line.command == "QUIT") {
    for (auto& [key, room] : *rooms_)
      if (room->server() == host)
        if (legate::Participant* p = room->find_participant(nick); p && p->present()) {
          room->forget_modes(nick);
          p->left(line.param(0));
          room->forget_participant(nick);
        }
  } else if (line.command == "NICK") {
    const std::string fresh(line.param(0));
    if (!usable_nick(fresh)) return;
    if (me) client.set_nick(fresh);
    if (me) nick_change_ended(client, std::nullopt);
    for (auto& [key, room] : *rooms_) {
      if (room->server() != host) continue;
      room->renamed(nick, fresh);
      if (me) {
        room->set_user_nick(fresh);
      } else if (legate::Participant* p = room->find_participant(nick)) {
        // A participant already stored under the new nick (someone who left): renaming onto
        // it would clash, so this one leaves and that one comes back.
        legate::Participant* holder = room->find_participant(fresh);
        if (holder && holder != p) {
          p->left();
          room->forget_participant(nick);
          holder->joined();
        } else {
          p->rename(fresh);
        }
      }
    }
  } else if (line.command == "KICK") {
    IrcRoom* room = room_of(client, line.param(0));
    if (!room) return;
    const std::string_view victim = line.param(1);
    if (!usable_nick(victim)) return;
    if (same_nick(client, victim, client.nick())) {
      left_channel(*room);
      room->user_removed(line.param(2), true);
    } else if (legate::Participant* p = room->find_participant(victim)) {
      room->forget_modes(victim);
      p->kicked(line.param(2));
      room->forget_participant(victim);
    }
  } else if (line.command == "TOPIC") {
    IrcRoom* room = room_of(client, line.param(0));
    if (!room) return;
    legate::Participant& by = me ? room->user() : room->participant_by_nick(nick);
    room->set_subject(plain_irc_text(line.param(1)), &by);
  } else if (line.command == "MODE" && is_channel(line.param(0))) {
    IrcRoom* room = room_of(client, line.param(0));
    if (!room) return;
    bool set = true;
    std::size_t next = 2;
    for (char mode : line.param(1)) {
      if (mode == '+' || mode == '-') {
        set = mode == '+';
        continue;
      }
      if (!client.isupport().takes_param(mode, set)) continue;
      const std::string_view who = line.param(next++);
      if (client.isupport().is_membership_mode(mode)) room->change_membership(who, mode, set);
    }
    // Shown as IRC clients show it, e.g. "alice sets mode +o bob" (biboumi does the same).
    std::string change = std::string(nick) + " sets mode";
    for (std::size_t i = 1; i < line.params.size(); ++i) change += " " + line.params[i];
    room->send_notice(plain_irc_text(change));
  }
}

void IrcSession::on_numeric(IrcClient& client, const IrcLine& line) {
  const std::string& n = line.command;
  if (n == "332") {  // RPL_TOPIC: me channel :topic
    if (IrcRoom* room = room_of(client, line.param(1)))
      room->set_subject(plain_irc_text(line.param(2)));
  } else if (n == "353") {  // RPL_NAMREPLY: me = channel :names
    if (IrcRoom* room = room_of(client, line.param(2))) room->names(line.param(3));
  } else if (n == "366") {  // RPL_ENDOFNAMES: me channel :End
    IrcRoom* room = room_of(client, line.param(1));
    if (room) room->names_done();
    join_done(client, line.param(1));
  } else if ((n == "432" || n == "433" || n == "436" || n == "437" || n == "447" || n == "484") &&
             !is_channel(line.param(1))) {  // a NICK refused: taken, erroneous, not now
    using legate::ErrorCondition;
    const auto condition = n == "433" || n == "436" ? ErrorCondition::conflict
                           : n == "432"             ? ErrorCondition::jid_malformed
                                                    : ErrorCondition::not_allowed;
    nick_change_ended(
        client, legate::StanzaError(condition, std::string(line.param(line.params.size() - 1))));
  } else if (n == "005") {  // RPL_ISUPPORT
    client.isupport().parse(line);
    learned_case_mapping(client);
  } else if (n == "403" || n == "405" || n == "437" || n == "471" || n == "473" || n == "474" ||
             n == "475" || n == "476" || n == "477" || n == "479" || n == "489") {
    join_failed(client, line.param(1), n, line.param(2));
  } else if (n == "470") {  // ERR_LINKCHANNEL: me #asked #forwarded :Forwarding…
    join_failed(client, line.param(1), n,
                "forwarded to " + std::string(line.param(2)) + ": " + std::string(line.param(3)));
  } else if (n == "401") {  // ERR_NOSUCHNICK: me nick :No such nick
    if (is_channel(line.param(1))) return;
    legate::Contact& contact = roster().by_legacy_id(key_of(line.param(1), host_key(client)));
    contact.send_text("(IRC) " + std::string(line.param(2)), {.legacy_id = next_message_id()});
  } else if (n == "482") {  // ERR_CHANOPRIVSNEEDED
    send_gateway_message(std::string(line.param(1)) + ": " + std::string(line.param(2)));
  }
}

}  // namespace irc
