// configure-channel: the user's settings of one of their channels, over their own defaults:
// stay on IRC when every client left (persistent), archive what is said (record_history) and
// how many archived messages a joining client gets (max_history), the encodings of its lines.
#include <spdlog/spdlog.h>

#include <legate/component/stanza_error.hpp>
#include "irc_commands.hpp"
#include "irc_gateway.hpp"
#include "irc_rooms.hpp"
#include "irc_session.hpp"

namespace irc {
namespace {

using legate::CommandContext;
using legate::Form;
using legate::FormField;
using legate::Outcome;

// A switch that may also be left to the default, which the label shows.
FormField tri_state(std::string var, std::string label, std::optional<bool> value, bool fallback) {
  std::vector<legate::FormOption> options{
      {std::string("Default (") + (fallback ? "on" : "off") + ")", "default"},
      {"On", "on"},
      {"Off", "off"}};
  const char* chosen = !value ? "default" : *value ? "on" : "off";
  return FormField::list_single(std::move(var), std::move(label), std::move(options), false)
      .with_value(chosen);
}

std::optional<bool> tri_state_of(std::string_view value, std::string_view field) {
  if (value.empty() || value == "default") return std::nullopt;
  if (value == "on") return true;
  if (value == "off") return false;
  throw legate::StanzaError(legate::ErrorCondition::not_acceptable,
                            std::string(field) + " is default, on or off");
}

legate::asio::awaitable<Outcome> channel_configured(CommandContext& ctx, const Form& form) {
  auto& session = static_cast<IrcSession&>(*ctx.session);
  const std::string key(form.value("channel"));
  IrcRoom* room = session.room_by_key(key);
  if (!room) co_return Outcome{legate::Note{legate::Note::Kind::error, "No such channel."}};
  ChannelSettings settings;
  settings.persistent = tri_state_of(form.value("persistent"), "persistent");
  settings.record_history = tri_state_of(form.value("record_history"), "record_history");
  if (!form.value("max_history").empty())
    settings.max_history = history_length_of(form.value("max_history"), 0);
  settings.encoding_in = encoding_of(form.value("encoding_in"), "");
  settings.encoding_out = encoding_of(form.value("encoding_out"), "");
  IrcAccount account = session.user().data<IrcAccount>();
  if (settings.empty())
    account.channels.erase(key);
  else
    account.channels[key] = settings;
  co_await session.update_legacy_data(std::move(account));
  room->set_settings(std::move(settings));
  spdlog::info("{}: configured channel {}", session.user_jid().str(), key);
  co_return Outcome{
      legate::Note{legate::Note::Kind::info, "Saved the settings of " + room->channel() + "."}};
}

legate::asio::awaitable<Outcome> channel_chosen(CommandContext& ctx, const Form& form) {
  auto& session = static_cast<IrcSession&>(*ctx.session);
  const std::string key(form.value("channel"));
  IrcRoom* room = session.room_by_key(key);
  if (!room) co_return Outcome{legate::Note{legate::Note::Kind::error, "No such channel."}};
  const ChannelSettings& s = room->settings();
  const bool persistent = session.user().preference<bool>("persistent", false);
  const bool recording = session.user().preference<bool>("record_history", true);
  const IrcAccount account = session.user().data<IrcAccount>();
  const IrcServer* server = account.server(room->server());
  const std::size_t server_history = server ? server->max_history : IrcServer{}.max_history;
  Form settings_form;
  settings_form.title = "Configure " + room->channel() + " on " + room->server();
  settings_form.fields = {
      FormField::hidden("channel", key),
      tri_state("persistent", "Stay in the channel when all your clients left", s.persistent,
                persistent),
      tri_state("record_history", "Archive what is said", s.record_history, recording),
      FormField::text("max_history",
                      "Messages of history a joining client gets (0-100; empty: the server's " +
                          std::to_string(server_history) + ")",
                      false)
          .with_value(s.max_history ? std::to_string(*s.max_history) : ""),
      FormField::text("encoding_in",
                      "Encoding of what is not UTF-8 (empty: the server's " +
                          (server ? server->encoding_in : IrcServer{}.encoding_in) + ")",
                      false)
          .with_value(s.encoding_in),
      FormField::text("encoding_out",
                      "Encoding to send in (empty: the server's " +
                          (server ? server->encoding_out : IrcServer{}.encoding_out) + ")",
                      false)
          .with_value(s.encoding_out),
  };
  co_return Outcome{legate::FormStep{std::move(settings_form), channel_configured}};
}

}  // namespace

legate::Command configure_channel_command() {
  return {"Configure a channel",
          "configure-channel",
          "configure-channel",
          "Settings of one of your channels: persistent, history",
          legate::Access::logged_in,
          [](CommandContext& ctx) -> legate::asio::awaitable<Outcome> {
            auto& session = static_cast<IrcSession&>(*ctx.session);
            std::vector<legate::FormOption> channels;
            for (const auto& [key, room] : *session.room_index())
              channels.push_back({room->channel() + " on " + room->server(), key});
            if (channels.empty())
              co_return Outcome{legate::Note{legate::Note::Kind::info, "No channel."}};
            Form form;
            form.title = "Configure a channel";
            form.fields = {FormField::list_single("channel", "Channel", std::move(channels), true)};
            co_return Outcome{legate::FormStep{std::move(form), channel_chosen}};
          }};
}

}  // namespace irc
