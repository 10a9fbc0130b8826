// FileTransfers: files between users and contacts.
//  - legacy → XMPP: a contact's OutgoingFile is uploaded (XEP-0363, streamed, cached by legacy
//    file id) and shared as a link with OOB (XEP-0066); without an upload service it goes
//    in-band (XEP-0047) to the user's most available resource.
//  - XMPP → legacy: a user's link (OOB, or a bare link to our upload service's host) is
//    fetched by a streamed GET, and a user's In-Band Bytestream to a contact is read as it
//    arrives; both reach Session::on_file() as an IncomingFile.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "../component/asio.hpp"
#include "../component/ibb.hpp"
#include "../legacy/file.hpp"
#include "../storage/database.hpp"
#include "http_upload.hpp"
#include "session_registry.hpp"
#include "user_presences.hpp"

namespace legate {

class Component;
class Contact;
class Session;

struct FileLimits {
  std::uint64_t max_download = 100 * 1024 * 1024;  // a user's file fetched for the bridge
  std::chrono::seconds download_timeout{300};
};

class FileTransfers {
 public:
  struct Parts {
    Component& component;
    Database& database;  // the upload cache
    HttpUpload& upload;
    const Features& features;
    SessionRegistry& sessions;
    UserPresences& presences;  // where an in-band file goes
  };
  explicit FileTransfers(Parts parts, FileLimits limits = {});
  ~FileTransfers();

  // Contact::send_file().
  asio::awaitable<std::string> send(Contact& from, OutgoingFile file);
  // A file the user sent elsewhere (UserActions::send_file): uploaded, and its URL returned.
  // Throws StanzaError (service-unavailable without an upload service).
  asio::awaitable<std::string> upload(Contact& about, OutgoingFile file);
  // A user's link to a file: fetched and handed to the bridge; returns the legacy id.
  asio::awaitable<LegacyId> receive_link(Session& session, Contact& to, std::string url);
  // True when a bare link in a user's message points at our upload service (a file).
  bool is_upload_link(std::string_view body) const;

 private:
  // The URL of `file` uploaded (or of its earlier upload); nullopt when the server has no
  // upload service. On failure the user is told (from `about`) and StanzaError thrown.
  asio::awaitable<std::optional<std::string>> upload_or_nothing(Contact& about, OutgoingFile& file);
  asio::awaitable<std::string> share_link(Contact& from, const std::string& url,
                                          const LegacyId& legacy_id);
  asio::awaitable<std::string> send_in_band(Contact& from, OutgoingFile& file);
  bool authorize_stream(const Jid& jid, const Jid& from);
  void on_stream(std::shared_ptr<IbbStream> stream);

  Parts p_;
  FileLimits limits_;
  InBandBytestreams ibb_;
  std::chrono::steady_clock::time_point no_service_until_{};
};

}  // namespace legate
