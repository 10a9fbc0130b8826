// SessionHooks: which XMPP→legacy hooks a bridge's session type overrides, computed at
// compile time (hooks_of<S>()). It is the one table behind the contacts' disco/caps
// features and the routing rule: a message-like event without its hook is answered
// feature-not-implemented, a marker or chat state without its hook is dropped.
#pragma once

#include <type_traits>

#include "session.hpp"
#include "types.hpp"

namespace legate {

// True when S declares its own `member` instead of inheriting Session's: `&S::on_x` then has
// the type `R (S::*)(…)` (or an intermediate base's), not `R (Session::*)(…)`.
#define LEGATE_OVERRIDES(S, member) \
  (!std::is_same_v<decltype(&S::member), decltype(&::legate::Session::member)>)

template <class S>
constexpr SessionHooks hooks_of() {
  static_assert(std::is_base_of_v<Session, S>, "a session type derives from legate::Session");
  return SessionHooks{
      .text = LEGATE_OVERRIDES(S, on_text),
      .correct = LEGATE_OVERRIDES(S, on_correct),
      .retract = LEGATE_OVERRIDES(S, on_retract),
      .react = LEGATE_OVERRIDES(S, on_react),
      .displayed = LEGATE_OVERRIDES(S, on_displayed),
      .chat_state = LEGATE_OVERRIDES(S, on_chat_state),
      .file = LEGATE_OVERRIDES(S, on_file),
      .presence = LEGATE_OVERRIDES(S, on_presence),
      .friend_request = LEGATE_OVERRIDES(S, on_friend_request),
      .search = LEGATE_OVERRIDES(S, on_search),
  };
}

#undef LEGATE_OVERRIDES

// What the contacts advertise and the routing honours: the hooks, plus what cannot be seen
// in an override (declared in GatewayInfo::capabilities).
inline Features features_of(const SessionHooks& hooks, const Capabilities& declared) {
  Features f;
  f.corrections = hooks.correct;
  f.retractions = hooks.retract;
  f.reactions = hooks.react;
  f.markers = hooks.displayed;
  f.chat_states = hooks.chat_state;
  f.files = hooks.file;
  f.replies = declared.replies;
  f.real_receipts = declared.real_receipts;
  f.hooks = hooks;
  return f;
}

}  // namespace legate
