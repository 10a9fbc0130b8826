// The echo network's groups, created for every user at login:
//  - lounge@<gw>, a group (members-only, real JIDs shown) "Echo Lounge" with alice and bob:
//    bob answers every message with "bob heard: <body>" as a reply and alice reacts 👍 to
//    it; a correction makes bob say "bob saw a correction: <new body>"; "/topic <text>"
//    makes alice set the subject;
//  - lobby@<gw>, a channel (open, nicks only) "Echo Lobby" with carol and dave: carol
//    answers "carol heard: <body>"; "/nick <new>" renames dave; "/kick" kicks him.
// The lounge has a history: 30 messages of alice and bob from yesterday (backfilled at the
// first history query of each run). In the lounge, an invited contact joins and says "thanks for
// the invitation", the user typing makes bob type, and a message the user read alice reads too;
// "phone-read" makes the user read bob's answer in the echo app (their clients sync it, XEP-0490).
// Kicks, affiliation changes and leaving are accepted in both (a left room is back at the next
// login: the echo network keeps no memberships); destroying is refused.
#pragma once

#include <legate/legacy/rooms.hpp>

namespace echo {

class EchoRooms : public legate::Rooms {
 public:
  using legate::Rooms::Rooms;
  legate::asio::awaitable<std::vector<legate::LegacyId>> fill() override;
  std::unique_ptr<legate::Room> make_room(legate::RoomRecord record) override;
};

}  // namespace echo
