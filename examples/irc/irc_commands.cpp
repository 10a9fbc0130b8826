// legate-irc's commands: join a channel, add a server.
#include "irc_commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <legate/legacy/rooms.hpp>
#include "irc_gateway.hpp"
#include "irc_rooms.hpp"
#include "irc_session.hpp"

namespace irc {
namespace {

using legate::Access;
using legate::CommandContext;
using legate::Form;
using legate::FormField;
using legate::FormStep;
using legate::Note;
using legate::Outcome;

Outcome note(Note::Kind kind, std::string text) {
  return Outcome{Note{kind, std::move(text)}};
}

// A list of the user's servers, the first chosen.
FormField server_choice(const CommandContext& ctx) {
  std::vector<legate::FormOption> servers;
  for (const IrcServer& s : ctx.session->user().data<IrcAccount>().servers)
    servers.push_back({s.host, s.host});
  const std::string first = servers.empty() ? "" : servers.front().value;
  return FormField::list_single("server", "Server", std::move(servers), true).with_value(first);
}

bool valid_channel(std::string_view channel) {
  return channel.size() >= 2 && channel.size() <= 50 &&
         (channel.front() == '#' || channel.front() == '&') &&
         channel.find_first_of(" ,\x07:") == std::string_view::npos;
}

legate::asio::awaitable<Outcome> join_chosen(CommandContext& ctx, const Form& form) {
  auto& session = static_cast<IrcSession&>(*ctx.session);
  const std::string channel(form.value("channel"));
  const std::string server = irc_lower(form.value("server"));
  if (!valid_channel(channel))
    co_return note(Note::Kind::error, "A channel name starts with # and has no space or comma.");
  if (!session.client(server))
    co_return note(Note::Kind::error, "Not connected to " + server + ".");
  auto& room = static_cast<IrcRoom&>(session.rooms().by_legacy_id(session.key_of(channel, server)));
  try {
    co_await room.ensure_info();
    co_await session.join(room);
  } catch (const legate::StanzaError& e) {
    if (!room.joined()) session.rooms().forget(room);
    co_return note(Note::Kind::error, "Could not join " + channel + ": " + e.text());
  }
  co_return note(Note::Kind::info, "Joined " + channel + " on " + server + ": open " +
                                       room.jid().str() + " in your client.");
}

legate::Command join_command() {
  return {"Join a channel",
          "join",
          "join",
          "Join an IRC channel",
          Access::logged_in,
          [](CommandContext& ctx) -> legate::asio::awaitable<Outcome> {
            Form form;
            form.title = "Join a channel";
            form.fields = {FormField::text("channel", "Channel (#name)", true), server_choice(ctx)};
            co_return Outcome{FormStep{form, join_chosen}};
          }};
}

// The form of one server, filled with its settings (the password left out: kept if empty).
Form server_form(const IrcServer& s) {
  Form form;
  form.title = "Configure " + s.host;
  form.fields = {
      FormField::hidden("server", s.host),
      FormField::text("port", "Ports, tried in order", true).with_value(ports_text(s.ports)),
      FormField::boolean("tls", "Use TLS", s.tls),
      FormField::boolean("verify", "Check the server's certificate", s.verify_certificate),
      FormField::text("nick", "Nick", true).with_value(s.nick),
      FormField::private_text("password", "Server password (empty: unchanged)", false),
      FormField::text("sasl_account", "SASL account (default: the nick)", false)
          .with_value(s.sasl_account),
      FormField::private_text("sasl_password", "SASL password (empty: unchanged)", false),
      FormField::text("username", "User name", false).with_value(s.username),
      FormField::text("realname", "Real name", false).with_value(s.realname),
      FormField::text("throttle", "Milliseconds between lines after a burst of 10 (0: none)", false)
          .with_value(std::to_string(s.interval.count())),
      FormField::text("max_history", "Messages of history a joining client gets (0: none)", false)
          .with_value(std::to_string(s.max_history)),
      FormField::text_multi("after_connect", "Lines sent after connecting (one per line)", false),
      FormField::text("encoding_in", "Encoding of what is not UTF-8", false)
          .with_value(s.encoding_in),
      FormField::text("encoding_out", "Encoding to send in", false).with_value(s.encoding_out),
  };
  form.field("after_connect")->values = s.after_connect;
  return form;
}

legate::asio::awaitable<Outcome> server_configured(CommandContext& ctx, const Form& form) {
  IrcAccount account = ctx.session->user().data<IrcAccount>();
  const std::string host = irc_lower(form.value("server"));
  auto it = std::find_if(account.servers.begin(), account.servers.end(),
                         [&host](const IrcServer& s) { return s.host == host; });
  if (it == account.servers.end()) co_return note(Note::Kind::error, "No such server.");
  IrcServer updated = server_of(form);  // checks every field as the registration does
  static_cast<IrcGateway&>(ctx.gateway).check_allowed(updated);
  if (updated.password.empty()) updated.password = it->password;
  if (updated.sasl_password.empty()) updated.sasl_password = it->sasl_password;
  updated.username = std::string(form.value("username"));
  updated.realname = std::string(form.value("realname"));
  if (const auto* lines = form.field("after_connect")) updated.after_connect = lines->values;
  updated.max_history = history_length_of(form.value("max_history"), it->max_history);
  updated.encoding_in = encoding_of(form.value("encoding_in"), "ISO-8859-1");
  updated.encoding_out = encoding_of(form.value("encoding_out"), "UTF-8");
  *it = std::move(updated);
  co_await ctx.session->update_legacy_data(account);
  spdlog::info("{}: configured IRC server {}", ctx.session->user_jid().str(), host);
  ctx.session->re_login();  // the new settings take effect at the next connection
  co_return note(Note::Kind::info, "Saved; connecting to " + host + " again.");
}

legate::asio::awaitable<Outcome> server_chosen(CommandContext& ctx, const Form& form) {
  const IrcAccount account = ctx.session->user().data<IrcAccount>();
  const IrcServer* server = account.server(irc_lower(form.value("server")));
  if (!server) co_return note(Note::Kind::error, "No such server.");
  co_return Outcome{FormStep{server_form(*server), server_configured}};
}

legate::Command configure_server_command() {
  return {"Configure an IRC server",
          "configure-server",
          "configure-server",
          "Change the settings of one of your IRC servers",
          Access::logged_in,
          [](CommandContext& ctx) -> legate::asio::awaitable<Outcome> {
            Form form;
            form.title = "Configure an IRC server";
            form.fields = {server_choice(ctx)};
            co_return Outcome{FormStep{form, server_chosen}};
          }};
}

legate::asio::awaitable<Outcome> server_added(CommandContext& ctx, const Form& form) {
  IrcServer server = server_of(form);
  static_cast<IrcGateway&>(ctx.gateway).check_allowed(server);
  IrcAccount account = ctx.session->user().data<IrcAccount>();
  if (account.server(server.host))
    co_return note(Note::Kind::error, "You have " + server.host + " already.");
  spdlog::info("{}: adds IRC server {} (ports {})", ctx.session->user_jid().str(), server.host,
               ports_text(server.ports));
  const std::string host = server.host;
  account.servers.push_back(std::move(server));
  co_await ctx.session->update_legacy_data(account);
  ctx.session->re_login();  // connects to every server, the new one included
  co_return note(Note::Kind::info, "Added " + host + "; connecting.");
}

legate::Command add_server_command() {
  return {"Add an IRC server",
          "add-server",
          "add-server",
          "Connect to one more IRC server",
          Access::logged_in,
          [](CommandContext& ctx) -> legate::asio::awaitable<Outcome> {
            Form form;
            form.title = "Add an IRC server";
            form.fields = server_fields();
            (void)ctx;
            co_return Outcome{FormStep{form, server_added}};
          }};
}

legate::Command connections_command() {
  return {"Connection info",
          "connections",
          "connections",
          "Which IRC servers you are connected to, as which nick, in which channels",
          Access::logged_in,
          [](CommandContext& ctx) -> legate::asio::awaitable<Outcome> {
            co_return note(Note::Kind::info,
                           static_cast<IrcSession&>(*ctx.session).connection_info());
          }};
}

legate::asio::awaitable<Outcome> disconnect_chosen(CommandContext& ctx, const Form& form) {
  auto& session = static_cast<IrcSession&>(*ctx.session);
  const std::string server = irc_lower(form.value("server"));
  if (!session.client(server))
    co_return note(Note::Kind::error, "Not connected to " + server + ".");
  co_await session.disconnect(server, std::string(form.value("reason")));
  co_return note(Note::Kind::info,
                 "Disconnected from " + server + "; joining one of its channels connects again.");
}

legate::Command disconnect_command() {
  return {"Disconnect from an IRC server",
          "disconnect",
          "disconnect",
          "Leave one IRC server (QUIT) until you join one of its channels again",
          Access::logged_in,
          [](CommandContext& ctx) -> legate::asio::awaitable<Outcome> {
            Form form;
            form.title = "Disconnect from an IRC server";
            form.fields = {server_choice(ctx),
                           FormField::text("reason", "Quit message", false).with_value("Leaving")};
            co_return Outcome{FormStep{form, disconnect_chosen}};
          }};
}

}  // namespace

std::vector<legate::Command> irc_commands() {
  return {join_command(),
          add_server_command(),
          configure_server_command(),
          configure_channel_command(),
          connections_command(),
          disconnect_command()};
}

}  // namespace irc
