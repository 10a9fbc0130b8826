// Group fixtures for the stanza tests: alice registered, logged in and joined to the
// scripted "lounge" (participants bob "bobby" and carol "Carol"), and MUC status codes.
#pragma once

#include <string>
#include <vector>

#include "legacy/room_stanzas.hpp"
#include "tests/stanza/privileges_fixture.hpp"

namespace legate::test {

// The status codes of an occupant presence, in order.
inline std::vector<std::string> codes_of(const Element& presence) {
  std::vector<std::string> codes;
  if (const Element* x = presence.child("x", kMucUserNs))
    for (const auto& c : x->children())
      if (c.is("status", kMucUserNs)) codes.emplace_back(c.attr_or("code"));
  return codes;
}

struct Lounge {
  std::shared_ptr<SessionScript> script = [] {
    auto s = two_contacts();
    s->rooms = {"lounge"};
    return s;
  }();
  GatewayHarness g{with_sessions(script)};

  // `join_extra`: more children of the join's <x/>.
  explicit Lounge(std::string_view join_extra = "") {
    register_and_log_in(g);
    g.h().inject(
        "<presence from='alice@test/phone' to='lounge@gw.test/alice' id='j1'>"
        "<x xmlns='http://jabber.org/protocol/muc'>" +
        std::string(join_extra) + "</x></presence>");
    drain(g);
  }
  Element by_id(std::string id) {
    return g.next_where([id](const Element& e) { return e.attr_or("id") == id; });
  }
  Element next_of(std::string name) {
    return g.next_where([name](const Element& e) { return e.name() == name; });
  }
  Element next_message() { return next_of("message"); }
};

}  // namespace legate::test
