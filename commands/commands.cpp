// Commands registry, access checks and the requester's context.
#include "commands/commands.hpp"

#include "commands/adhoc_commands.hpp"
#include "commands/chat_commands.hpp"
#include "commands/search.hpp"
#include "gateway/gateway_runtime.hpp"

namespace legate {

Commands::Commands(BaseGateway& gateway, bool builtins) : gateway_(gateway) {
  if (builtins) {
    add_builtin_commands(*this);
    add_group_commands(*this);
  }
  for (Command& command : gateway.commands()) add(std::move(command));
  install_search(GatewayRuntime(gateway));
  adhoc_ = std::make_unique<AdhocCommands>(*this);
  chat_ = std::make_unique<ChatCommands>(*this);
}

Commands::~Commands() = default;

void Commands::add(Command command) {
  commands_.push_back(std::move(command));
}

const Command* Commands::by_node(std::string_view node) const {
  for (const auto& c : commands_)
    if (c.node == node) return &c;
  return nullptr;
}

const Command* Commands::by_keyword(std::string_view keyword) const {
  for (const auto& c : commands_)
    if (c.keyword == keyword) return &c;
  return nullptr;
}

std::vector<const Command*> Commands::available(const CommandContext& ctx) const {
  std::vector<const Command*> out;
  for (const auto& c : commands_)
    if (allowed(c.access, ctx)) out.push_back(&c);
  return out;
}

CommandContext Commands::context_for(const Jid& requester) const {
  return CommandContext{gateway_, requester, gateway_.find_user(requester),
                        GatewayRuntime(gateway_).session_of(requester),
                        GatewayRuntime(gateway_).is_admin(requester)};
}

}  // namespace legate
