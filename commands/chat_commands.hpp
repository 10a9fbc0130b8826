// ChatCommands: the chat front end of the command registry. A message to the gateway JID
// starting with a keyword runs that command; forms are asked field by field in chat,
// confirmations as yes/no, tables are rendered as aligned text; `abort` cancels, `help`
// and `help <command>` list what the user may run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../gateway/command.hpp"

namespace legate {

class Commands;

class ChatCommands {
 public:
  explicit ChatCommands(Commands& commands);

  // Renders an outcome's table as aligned text (also used by tests).
  static std::string render_table(const Table& table);

 private:
  bool on_chat(const Jid& from, std::string_view body);
  asio::awaitable<void> converse(Jid from, const Command* command);
  asio::awaitable<void> follow(CommandContext& ctx, Outcome outcome);
  asio::awaitable<std::optional<Form>> ask_form(CommandContext& ctx, const Form& form);
  // One field's values, asked until the answer is valid; nullopt when the conversation ended
  // (abort, timeout), the user having been told. `preface` goes before the first prompt.
  asio::awaitable<std::optional<std::vector<std::string>>> ask_field(CommandContext& ctx,
                                                                     const FormField& field,
                                                                     std::string preface = {});
  // The user's next line; nullopt (after telling them) on abort or timeout.
  asio::awaitable<std::optional<std::string>> ask(CommandContext& ctx, std::string prompt);
  // Re-reads the requester's registration and session after a wait: either may have changed.
  void refresh(CommandContext& ctx) const;
  void help(const Jid& from, std::string_view topic);
  void say(const CommandContext& ctx, std::string_view text);

  Commands& commands_;
};

}  // namespace legate
