// Commands: the registry of a gateway's commands and its two front ends, XEP-0050 ad-hoc
// commands on the gateway JID and chat commands (keywords sent to the gateway JID).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "../gateway/command.hpp"

namespace legate {

class AdhocCommands;
class ChatCommands;

class Commands {
 public:
  // Installs both front ends on the gateway (after BaseGateway::attach()), with the
  // built-in commands unless `builtins` is false.
  explicit Commands(BaseGateway& gateway, bool builtins = true);
  ~Commands();
  Commands(const Commands&) = delete;
  Commands& operator=(const Commands&) = delete;

  void add(Command command);
  const Command* by_node(std::string_view node) const;
  const Command* by_keyword(std::string_view keyword) const;
  // The commands `ctx` may run, in the order they were added.
  std::vector<const Command*> available(const CommandContext& ctx) const;
  CommandContext context_for(const Jid& requester) const;
  BaseGateway& gateway() { return gateway_; }

 private:
  BaseGateway& gateway_;
  std::vector<Command> commands_;
  std::unique_ptr<AdhocCommands> adhoc_;
  std::unique_ptr<ChatCommands> chat_;
};

// Adds register, unregister, preferences, re-login, contacts, find, info, and the admin
// commands list-users, delete-user, loglevel.
void add_builtin_commands(Commands& commands);
// groups, leave-group (group_commands.cpp).
void add_group_commands(Commands& commands);

}  // namespace legate
