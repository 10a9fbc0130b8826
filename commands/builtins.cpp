// The built-in commands every gateway offers: register, unregister, preferences, re-login,
// contacts, find, info; for admins list-users, delete-user, loglevel.
#include <spdlog/spdlog.h>

#include <chrono>

#include "commands/commands.hpp"
#include "commands/search.hpp"
#include "component/base64.hpp"
#include "component/component.hpp"
#include "gateway/gateway_runtime.hpp"
#include "gateway/qr_code.hpp"
#include "gateway/registration.hpp"
#include "legacy/contact_stanzas.hpp"

namespace legate {
namespace {

using Clock = std::chrono::steady_clock;
const Clock::time_point kStarted = Clock::now();

Outcome note(std::string text, Note::Kind kind = Note::Kind::info) {
  return Outcome{Note{kind, std::move(text)}};
}

asio::awaitable<Outcome> registration_step(CommandContext& ctx, Registration::Step step);

// After the form: the two-factor code, or the QR code to scan, or done.
asio::awaitable<Outcome> registration_step(CommandContext& ctx, Registration::Step step) {
  const Jid user = ctx.requester.bare();
  switch (step.kind) {
    case Registration::Step::Kind::done:
      co_return note("Registration complete.");
    case Registration::Step::Kind::need_code: {
      Form form;
      form.title = "Two-factor code";
      form.instructions = {"Enter the code you received."};
      form.fields = {FormField::text("code", "Code", true)};
      co_return Outcome{
          FormStep{form, [](CommandContext& c, const Form& f) -> asio::awaitable<Outcome> {
                     auto next = co_await GatewayRuntime(c.gateway).registration().submit_code(
                         c.requester, std::string(f.value("code")));
                     co_return co_await registration_step(c, next);
                   }}};
    }
    case Registration::Step::Kind::need_qr: {
      const QrCode qr = QrCode::encode(step.qr_text);
      // XEP-0221: the image inline, so the form alone is enough to scan it.
      FormMedia media;
      media.width = media.height = static_cast<unsigned>((qr.size() + 8) * 8);
      media.uris.push_back({"image/png", "data:image/png;base64," + base64_encode(qr.png())});
      Form form;
      form.title = "Scan the QR code";
      form.instructions = {"Scan this code with the app of your account, then submit."};
      form.fields = {FormField::fixed("Scan this QR code with the app of your account.")
                         .with_media(std::move(media)),
                     FormField::fixed(step.qr_text)};
      ctx.gateway.send_message(user, "The QR code's text: " + step.qr_text);
      co_return Outcome{FormStep{
          form, [](CommandContext& c, const Form&) -> asio::awaitable<Outcome> {
            auto next = co_await GatewayRuntime(c.gateway).registration().wait_for_qr(c.requester);
            co_return co_await registration_step(c, next);
          }}};
    }
  }
  co_return note("Registration complete.");
}

Command register_command() {
  return {"Register",
          "register",
          "register",
          "Register with this gateway (or change your registration)",
          Access::anyone,
          [](CommandContext& ctx) -> asio::awaitable<Outcome> {
            Form form = GatewayRuntime(ctx.gateway).registration().form_for(ctx.requester);
            co_return Outcome{FormStep{
                form, [](CommandContext& c, const Form& submitted) -> asio::awaitable<Outcome> {
                  auto step = co_await GatewayRuntime(c.gateway).registration().begin(c.requester,
                                                                                      submitted);
                  co_return co_await registration_step(c, step);
                }}};
          }};
}

Command unregister_command() {
  return {"Unregister",
          "unregister",
          "unregister",
          "Leave this gateway and delete your data",
          Access::registered,
          [](CommandContext&) -> asio::awaitable<Outcome> {
            co_return Outcome{Confirmation{
                "Really unregister? Your account data on this gateway will be deleted.",
                [](CommandContext& c) -> asio::awaitable<Outcome> {
                  co_await GatewayRuntime(c.gateway).remove_user(c.requester.bare());
                  co_return note("You are unregistered.");
                }}};
          }};
}

Command preferences_command() {
  return {"Preferences",
          "preferences",
          "preferences",
          "Change your settings for this gateway",
          Access::registered,
          [](CommandContext& ctx) -> asio::awaitable<Outcome> {
            Form form;
            form.title = "Preferences";
            form.fields = GatewayRuntime(ctx.gateway).declared().preference_fields;
            if (form.fields.empty()) co_return note("This gateway has no preferences.");
            const Json& stored = ctx.user->preferences;
            for (auto& field : form.fields) {
              if (!stored.is_object() || !stored.as_object().contains(field.var)) continue;
              const auto& value = stored.as_object().at(field.var);
              if (value.is_string()) field.values = {std::string(value.as_string())};
            }
            co_return Outcome{FormStep{
                form, [form](CommandContext& c, const Form& submitted) -> asio::awaitable<Outcome> {
                  boost::json::object values;
                  const Form complete = with_defaults(form, submitted);
                  for (const auto& field : complete.fields)
                    if (!field.var.empty() && field.var != "FORM_TYPE")
                      values[field.var] = field.value();
                  GatewayRuntime(c.gateway).update_preferences(c.requester, std::move(values));
                  co_return note("Preferences saved.");
                }}};
          }};
}

Command relogin_command() {
  return {"Log in again",
          "re-login",
          "re-login",
          "Log in to the legacy network again",
          Access::registered,
          [](CommandContext& ctx) -> asio::awaitable<Outcome> {
            GatewayRuntime(ctx.gateway).re_login(ctx.requester);
            co_return note("Logging in again…");
          }};
}

Command contacts_command() {
  return {"Contacts",
          "contacts",
          "contacts",
          "List your contacts and their JIDs",
          Access::logged_in,
          [](CommandContext& ctx) -> asio::awaitable<Outcome> {
            Table table{"Your contacts", {{"name", "Name"}, {"jid", "JID"}}, {}};
            for (Contact* contact : ctx.session->roster().all())
              table.rows.push_back({contact->name(), contact->jid().str()});
            co_return Outcome{std::move(table)};
          }};
}

Command find_command() {
  return {"Find a contact",
          "find",
          "find",
          "Search the legacy network for a contact",
          Access::logged_in,
          [](CommandContext& ctx) -> asio::awaitable<Outcome> {
            const Form form = search_form(GatewayRuntime(ctx.gateway));
            if (form.fields.empty())
              co_return note("This gateway has no search.", Note::Kind::error);
            co_return Outcome{FormStep{
                form, [](CommandContext& c, const Form& submitted) -> asio::awaitable<Outcome> {
                  SearchResult found = co_await c.session->on_search(submitted);
                  Table table{"Search results", found.columns, found.rows};
                  if (table.rows.empty()) co_return note("Nothing found.");
                  co_return Outcome{std::move(table)};
                }}};
          }};
}

Command info_command() {
  return {"Gateway info",
          "info",
          "info",
          "Version, uptime, users and sessions",
          Access::anyone,
          [](CommandContext& ctx) -> asio::awaitable<Outcome> {
            const auto& version = GatewayRuntime(ctx.gateway).component().version();
            const auto up =
                std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - kStarted);
            co_return note(
                version.name + " " + version.version + ", up " + std::to_string(up.count() / 3600) +
                "h " + std::to_string(up.count() / 60 % 60) + "m, " +
                std::to_string(GatewayRuntime(ctx.gateway).user_count()) + " users, " +
                std::to_string(GatewayRuntime(ctx.gateway).logged_in_count()) + " logged in");
          }};
}

Command list_users_command() {
  return {"List users",
          "list-users",
          "list-users",
          "All registered users",
          Access::admin,
          [](CommandContext& ctx) -> asio::awaitable<Outcome> {
            Table table{"Registered users", {{"jid", "JID"}, {"session", "Session"}}, {}};
            for (const auto& user : GatewayRuntime(ctx.gateway).all_users()) {
              auto session = GatewayRuntime(ctx.gateway).session_of(user.jid);
              table.rows.push_back(
                  {user.jid.str(), session && session->logged_in() ? "logged in" : "-"});
            }
            co_return Outcome{std::move(table)};
          }};
}

Command delete_user_command() {
  return {"Delete a user",
          "delete-user",
          "delete-user",
          "Unregister a user",
          Access::admin,
          [](CommandContext&) -> asio::awaitable<Outcome> {
            Form form;
            form.title = "Delete a user";
            form.fields = {FormField::jid("jid", "User JID", true)};
            co_return Outcome{FormStep{
                form, [](CommandContext& c, const Form& f) -> asio::awaitable<Outcome> {
                  const Jid user(f.value("jid"));
                  if (!c.gateway.find_user(user))
                    co_return note("No such user: " + user.bare_str(), Note::Kind::error);
                  co_await GatewayRuntime(c.gateway).remove_user(user.bare());
                  spdlog::info("{} deleted user {}", c.requester.bare_str(), user.bare_str());
                  co_return note("Deleted " + user.bare_str() + ".");
                }}};
          }};
}

Command loglevel_command() {
  return {"Log level",
          "loglevel",
          "loglevel",
          "Change the log level",
          Access::admin,
          [](CommandContext&) -> asio::awaitable<Outcome> {
            std::vector<FormOption> levels;
            for (const char* l : {"trace", "debug", "info", "warn", "error", "critical", "off"})
              levels.push_back({l, l});
            Form form;
            form.title = "Log level";
            form.fields = {FormField::list_single("level", "Level", levels, true)
                               .with_value(std::string(
                                   spdlog::level::to_string_view(spdlog::get_level()).data()))};
            co_return Outcome{FormStep{
                form, [](CommandContext& c, const Form& f) -> asio::awaitable<Outcome> {
                  spdlog::set_level(spdlog::level::from_str(std::string(f.value("level"))));
                  spdlog::info("{} set the log level to {}", c.requester.bare_str(),
                               f.value("level"));
                  co_return note("Log level: " + std::string(f.value("level")));
                }}};
          }};
}

}  // namespace

void add_builtin_commands(Commands& commands) {
  for (auto make : {register_command, unregister_command, preferences_command, relogin_command,
                    contacts_command, find_command, info_command, list_users_command,
                    delete_user_command, loglevel_command})
    commands.add(make());
}

}  // namespace legate
