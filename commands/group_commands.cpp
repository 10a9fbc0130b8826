// The built-in group commands: groups (the user's rooms and their JIDs, for clients that
// show no bookmarks) and leave-group (leaving one for good, as XEP-0077 <remove/> to the
// room does).
#include "commands/commands.hpp"
#include "gateway/gateway_runtime.hpp"
#include "legacy/rooms.hpp"

namespace legate {
namespace {

Command groups_command() {
  return {"Groups",
          "groups",
          "groups",
          "List your groups and their JIDs",
          Access::logged_in,
          [](CommandContext& ctx) -> asio::awaitable<Outcome> {
            Table table{"Your groups", {{"name", "Name"}, {"jid", "JID"}}, {}};
            for (Room* room : ctx.session->rooms().all())
              table.rows.push_back({room->name(), room->jid().str()});
            if (table.rows.empty()) co_return Outcome{Note{Note::Kind::info, "No groups."}};
            co_return Outcome{std::move(table)};
          }};
}

asio::awaitable<Outcome> leave_chosen(CommandContext& ctx, const Form& form) {
  auto room = Jid::parse(form.value("group"));
  if (!room || !ctx.session->rooms().by_jid(*room))
    co_return Outcome{Note{Note::Kind::error, "No such group."}};
  co_await GatewayRuntime(ctx.gateway).leave_group(ctx.session, *room);
  co_return Outcome{Note{Note::Kind::info, "You left " + room->str() + "."}};
}

Command leave_group_command() {
  return {"Leave a group",
          "leave-group",
          "leave-group",
          "Leave one of your groups for good",
          Access::logged_in,
          [](CommandContext& ctx) -> asio::awaitable<Outcome> {
            std::vector<FormOption> groups;
            for (Room* room : ctx.session->rooms().all())
              groups.push_back(
                  {room->name().empty() ? room->jid().str() : room->name(), room->jid().str()});
            if (groups.empty()) co_return Outcome{Note{Note::Kind::info, "No groups."}};
            Form form;
            form.title = "Leave a group";
            form.fields = {FormField::list_single("group", "Group", std::move(groups), true)};
            co_return Outcome{FormStep{form, leave_chosen}};
          }};
}

}  // namespace

void add_group_commands(Commands& commands) {
  commands.add(groups_command());
  commands.add(leave_group_command());
}

}  // namespace legate
