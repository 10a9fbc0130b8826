// Gateway<S>: what a bridge subclasses, naming its session type:
//   struct MyGateway : legate::Gateway<MySession> { … };
// The framework then makes every user's session as an S, and reads at compile time which
// XMPP→legacy hooks S overrides: they alone decide the contacts' features and what is routed.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "../legacy/session_hooks.hpp"
#include "base_gateway.hpp"

namespace legate {

template <class S>
class Gateway : public BaseGateway {
  static_assert(std::is_base_of_v<Session, S>, "Gateway<S>: S derives from legate::Session");
  static_assert(std::is_constructible_v<S, SessionHost&, User>,
                "Gateway<S>: S is constructible from (SessionHost&, User); inherit Session's "
                "constructor with `using legate::Session::Session;`");

 public:
  // What S overrides (also for tests and docs: Gateway<S>::hooks.text …).
  static constexpr SessionHooks hooks = hooks_of<S>();

 private:
  std::unique_ptr<Session> make_session(SessionHost& host, User user) final {
    return std::make_unique<S>(host, std::move(user));
  }
  SessionHooks session_hooks() const final { return hooks; }
};

}  // namespace legate
