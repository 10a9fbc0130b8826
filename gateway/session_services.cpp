// SessionServices: the SessionHost calls that are coroutines.
#include "gateway/session_services.hpp"

#include "gateway/file_transfers.hpp"
#include "legacy/room.hpp"
#include "legacy/session.hpp"

namespace legate {

asio::awaitable<std::optional<std::string>> SessionServices::input(const Jid& user,
                                                                   std::string_view prompt,
                                                                   std::chrono::seconds timeout) {
  if (!prompt.empty()) p_.gateway.send_message(user, prompt);
  co_return co_await p_.chat_input.wait(user.bare_str(), timeout);
}

asio::awaitable<void> SessionServices::send_qr(const Jid& user, std::string text) {
  co_await p_.gateway.send_qr(user, std::move(text));
}

asio::awaitable<std::string> SessionServices::send_file(Contact& from, OutgoingFile file) {
  co_return co_await p_.files.send(from, std::move(file));
}

asio::awaitable<std::string> SessionServices::upload_file(Contact& about, OutgoingFile file) {
  co_return co_await p_.files.upload(about, std::move(file));
}

void SessionServices::read_elsewhere(Room& room, std::string_view stanza_id) {
  p_.displayed.read_elsewhere(room.session().user_jid(), room.jid(), std::string(stanza_id));
}

}  // namespace legate
