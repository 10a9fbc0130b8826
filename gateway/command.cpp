// Command access rules.
#include "gateway/command.hpp"

#include "legacy/session.hpp"

namespace legate {

bool allowed(Access access, const CommandContext& ctx) {
  switch (access) {
    case Access::anyone:
      return true;
    case Access::registered:
      return ctx.user.has_value();
    case Access::logged_in:
      return ctx.session && ctx.session->logged_in();
    case Access::not_registered:
      return !ctx.user.has_value();
    case Access::admin:
      return ctx.is_admin;
  }
  return false;
}

}  // namespace legate
