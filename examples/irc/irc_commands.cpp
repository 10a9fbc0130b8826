// legate-irc's commands: join a channel, add a server.
#include "irc_commands.hpp"

#include <spdlog/spdlog.h>

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
  auto& room = static_cast<IrcRoom&>(session.rooms().by_legacy_id(irc_key(channel, server)));
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
            std::vector<legate::FormOption> servers;
            for (const IrcServer& s : ctx.session->user().data<IrcAccount>().servers)
              servers.push_back({s.host, s.host});
            Form form;
            form.title = "Join a channel";
            form.fields = {FormField::text("channel", "Channel (#name)", true),
                           FormField::list_single("server", "Server", servers, true)
                               .with_value(servers.empty() ? "" : servers.front().value)};
            co_return Outcome{FormStep{form, join_chosen}};
          }};
}

legate::asio::awaitable<Outcome> server_added(CommandContext& ctx, const Form& form) {
  IrcServer server = server_of(form);
  IrcAccount account = ctx.session->user().data<IrcAccount>();
  if (account.server(server.host))
    co_return note(Note::Kind::error, "You have " + server.host + " already.");
  spdlog::info("{}: adds IRC server {}:{}", ctx.session->user_jid().str(), server.host,
               server.port);
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

}  // namespace

std::vector<legate::Command> irc_commands() {
  return {join_command(), add_server_command()};
}

}  // namespace irc
