// EchoSession: the toy legacy network's session. Contacts alice, bob and carol exist for
// every user; each echoes what you write (as a reply), types first, marks it displayed,
// reacts 👍, corrects its echo when asked, and goes away and back on request. "phone: hi" makes
// the user's phone (the network's own app) send "hi" to the contact, "phone-react: 👍" react
// to the contact's last message, "phone-picture" send a picture and "phone-read" read the
// contact's last message: what the user does outside XMPP (carbons). alice and bob have
// avatars; "avatar" to alice changes hers.
#pragma once

#include <legate/legacy/session.hpp>
#include <map>

namespace echo {

// A fresh id on the echo network (unique across restarts, like a real network's).
legate::LegacyId new_message_id();

class EchoSession : public legate::Session {
 public:
  using legate::Session::Session;

  legate::asio::awaitable<std::string> login() override;
  legate::asio::awaitable<void> logout() override;
  std::unique_ptr<legate::Roster> make_roster() override;
  std::unique_ptr<legate::Rooms> make_rooms() override;

  legate::asio::awaitable<legate::LegacyId> on_text(legate::Contact& to,
                                                    const legate::Text& text) override;
  legate::asio::awaitable<void> on_correct(legate::Contact& to, const legate::LegacyId& id,
                                           const legate::Text& text) override;
  legate::asio::awaitable<void> on_retract(legate::Contact& to,
                                           const legate::LegacyId& id) override;
  legate::asio::awaitable<void> on_react(legate::Contact& to, const legate::LegacyId& id,
                                         std::vector<std::string> emojis) override;
  legate::asio::awaitable<void> on_displayed(legate::Contact& to,
                                             const legate::LegacyId& id) override;
  legate::asio::awaitable<void> on_chat_state(legate::Contact& to,
                                              legate::ChatState state) override;
  legate::asio::awaitable<legate::LegacyId> on_file(legate::Contact& to,
                                                    legate::IncomingFile& file) override;
  legate::asio::awaitable<void> on_presence(const legate::UserPresence& presence) override;
  legate::asio::awaitable<legate::SearchResult> on_search(const legate::Form& form) override;

 private:
  legate::asio::awaitable<void> echo(legate::Contact& contact, legate::LegacyId id,
                                     std::string body);
  legate::asio::awaitable<void> from_phone(legate::Contact& contact, std::string command);
  // echo_files.cpp
  legate::asio::awaitable<void> picture_from_phone(legate::Contact& contact);

  std::map<legate::LegacyId, legate::LegacyId> last_message_of_;  // by contact
  std::uint32_t alice_colour_ = 0;  // after "avatar" (0: her first colour)
  // echo_files.cpp
  legate::asio::awaitable<void> send_picture(legate::Contact& contact);
  legate::asio::awaitable<void> send_big(legate::Contact& contact, std::uint64_t megabytes);
};

}  // namespace echo
