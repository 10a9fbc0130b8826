// Files between users and contacts (see file_transfers.hpp).
#include "gateway/file_transfers.hpp"

#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>

#include "component/component.hpp"
#include "component/stanza_error.hpp"
#include "gateway/http_client.hpp"
#include "legacy/contact.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/message_ids.hpp"
#include "storage/id_map.hpp"
#include "storage/upload_cache.hpp"

namespace legate {
namespace {

std::string human_size(std::uint64_t bytes) {
  if (bytes < 1024 * 1024) return std::to_string((bytes + 1023) / 1024) + " KB";
  return std::to_string((bytes + 512 * 1024) / (1024 * 1024)) + " MB";
}

// The last path segment of a URL, percent-decoded: what users see as the file's name.
std::string name_from_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "file";
  auto segments = parsed->segments();
  std::string last;
  for (auto s : segments) last = s;
  return safe_file_name(last);
}

// A user's link, fetched as the bridge reads it.
class LinkFile : public IncomingFile {
 public:
  LinkFile(std::unique_ptr<HttpGet> get, std::string url)
      : IncomingFile(name_from_url(url), get->content_type(), get->content_length(), url),
        get_(std::move(get)) {}
  asio::awaitable<std::optional<std::string>> read() override {
    try {
      co_return co_await get_->read();
    } catch (const std::runtime_error& e) {
      throw StanzaError(ErrorCondition::not_acceptable,
                        std::string("could not fetch the file: ") + e.what());
    }
  }

 private:
  std::unique_ptr<HttpGet> get_;
};

// A user's In-Band Bytestream. IBB carries no metadata: the name is made from the sid.
class StreamFile : public IncomingFile {
 public:
  explicit StreamFile(std::shared_ptr<IbbStream> stream)
      : IncomingFile("file-" + stream->sid().substr(0, 16), "application/octet-stream",
                     std::nullopt, ""),
        stream_(std::move(stream)) {}
  asio::awaitable<std::optional<std::string>> read() override {
    co_return co_await stream_->read_chunk();
  }

 private:
  std::shared_ptr<IbbStream> stream_;
};

}  // namespace

FileTransfers::FileTransfers(Parts parts, FileLimits limits)
    : p_(std::move(parts)),
      limits_(limits),
      ibb_(p_.component, IbbOptions{.max_stream_bytes = limits.max_download}) {
  ibb_.set_authorized([this](const Jid& jid, std::string_view, const Jid& from, const Element&) {
    return authorize_stream(jid, from);
  });
  ibb_.on_stream([this](std::shared_ptr<IbbStream> stream) { on_stream(std::move(stream)); });
}

FileTransfers::~FileTransfers() = default;

bool FileTransfers::is_upload_link(std::string_view body) const {
  if (body.empty() || body.find_first_of(" \t\r\n") != std::string_view::npos) return false;
  return p_.upload.is_own_url(body);
}

// --- legacy → XMPP ---

asio::awaitable<std::string> FileTransfers::send(Contact& from, OutgoingFile file) {
  auto url = co_await upload_or_nothing(from, file);
  if (!url) co_return co_await send_in_band(from, file);
  const std::string id = co_await share_link(from, *url, file.legacy_id);
  if (!file.caption.empty()) from.send_text(file.caption);
  co_return id;
}

asio::awaitable<std::string> FileTransfers::upload(Contact& about, OutgoingFile file) {
  auto url = co_await upload_or_nothing(about, file);
  if (!url) throw StanzaError(ErrorCondition::service_unavailable, "no upload service");
  co_return *url;
}

asio::awaitable<std::optional<std::string>> FileTransfers::upload_or_nothing(Contact& from,
                                                                             OutgoingFile& file) {
  Session& session = from.session();
  const std::string user = session.user_jid().str();
  file.name = safe_file_name(file.name);
  if (file.content_type.empty()) file.content_type = "application/octet-stream";
  UploadCache cache(p_.database);
  if (!file.legacy_file_id.empty()) {
    if (auto hit = cache.find(file.legacy_file_id)) {
      spdlog::debug("{}: file {} already uploaded", user, file.legacy_file_id);
      co_return hit->url;
    }
  }
  // A server without an upload service is asked again only after a while, not per file.
  bool has_service = std::chrono::steady_clock::now() >= no_service_until_;
  if (has_service) {
    try {
      co_await p_.upload.service();
    } catch (const StanzaError&) {
      has_service = false;
      no_service_until_ = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    }
  }
  if (!has_service) co_return std::nullopt;
  if (auto max = p_.upload.max_file_size(); max && file.size > *max) {
    const std::string text = "[" + file.name + " (" + human_size(file.size) +
                             ") could not be sent: the server accepts files up to " +
                             human_size(*max) + "]";
    from.send_text(text);
    spdlog::info("{}: file from {} too large for the upload service ({} bytes)", user,
                 from.jid().str(), file.size);
    throw StanzaError(ErrorCondition::not_acceptable, text);
  }
  std::string url;
  try {
    url = co_await p_.upload.upload_stream(file.name, file.content_type, file.size, file.data);
  } catch (const StanzaError& e) {
    from.send_text("[" + file.name + " could not be sent: " + e.what() + "]");
    throw;
  } catch (const std::exception& e) {
    from.send_text("[" + file.name + " could not be sent: the upload failed]");
    throw StanzaError(ErrorCondition::service_unavailable, e.what());
  }
  spdlog::info("{}: file from {} uploaded ({} bytes)", user, from.jid().str(), file.size);
  if (!file.legacy_file_id.empty())
    cache.put(file.legacy_file_id, CachedUpload{url, file.size, file.content_type});
  co_return url;
}

asio::awaitable<std::string> FileTransfers::share_link(Contact& from, const std::string& url,
                                                       const LegacyId& legacy_id) {
  Session& session = from.session();
  const std::string id = p_.component.router().next_id();
  p_.component.send(file_message(from.jid().str(), session.user_jid().str(), id, url));
  if (!legacy_id.empty()) session.id_map().put(session.user().id, kContactMessage, id, legacy_id);
  co_return id;
}

asio::awaitable<std::string> FileTransfers::send_in_band(Contact& from, OutgoingFile& file) {
  const Jid user = from.session().user_jid();
  auto resource = p_.presences.best_resource(user);
  if (!resource) {
    spdlog::info("{}: file from {} not delivered: no upload service and no resource online",
                 user.str(), from.jid().str());
    throw StanzaError(ErrorCondition::recipient_unavailable,
                      "no upload service, and the user has no resource online for an in-band "
                      "transfer");
  }
  const std::string sid = InBandBytestreams::make_sid();
  from.send_text("[" + file.name + " (" + human_size(file.size) +
                 ") follows as an in-band bytestream, sid " + sid + "]");
  const Jid sender = from.jid();
  const Jid target = *resource;
  co_await ibb_.send(sender, target, sid, file.data);
  spdlog::info("{}: file from {} sent in-band ({} bytes)", user.str(), sender.str(), file.size);
  co_return sid;
}

// --- XMPP → legacy ---

asio::awaitable<LegacyId> FileTransfers::receive_link(Session& session, Contact& to,
                                                      std::string url) {
  std::unique_ptr<HttpGet> get;
  try {
    get = co_await HttpGet::open(p_.component.router().executor(), url, limits_.max_download,
                                 limits_.download_timeout);
  } catch (const std::exception& e) {
    spdlog::info("{}: file to {} not fetched: {}", session.user_jid().str(), to.jid().str(),
                 e.what());
    throw StanzaError(ErrorCondition::not_acceptable,
                      std::string("could not fetch the file: ") + e.what());
  }
  LinkFile file(std::move(get), std::move(url));
  const LegacyId id = co_await session.on_file(to, file);
  spdlog::info("{}: file to {} passed on", session.user_jid().str(), to.jid().str());
  co_return id;
}

bool FileTransfers::authorize_stream(const Jid& jid, const Jid& from) {
  // Registered users, logged in, to their contacts: nobody else may push bytes at us.
  auto session = p_.sessions.find(from.bare());
  if (!session || !session->logged_in() || !p_.features.files) return false;
  return session->roster().by_jid(jid) != nullptr;
}

void FileTransfers::on_stream(std::shared_ptr<IbbStream> stream) {
  auto session = p_.sessions.find(stream->from().bare());
  Contact* contact = session ? session->roster().by_jid(stream->jid()) : nullptr;
  if (!contact) {
    stream->abort(ErrorCondition::item_not_found, "no such contact");
    return;
  }
  session->enqueue([session, contact, stream]() -> asio::awaitable<void> {
    StreamFile file(stream);
    try {
      co_await session->on_file(*contact, file);
      spdlog::info("{}: in-band file to {} passed on ({} bytes)", session->user_jid().str(),
                   contact->jid().str(), stream->bytes_received());
    } catch (const StanzaError& e) {
      stream->abort(e.condition(), e.text());
      contact->send_text(std::string("[your file could not be passed on: ") + e.what() + "]");
    } catch (const std::exception& e) {
      spdlog::error("{}: the bridge failed on a file: {}", session->user_jid().str(), e.what());
      stream->abort(ErrorCondition::internal_server_error);
      contact->send_text("[your file could not be passed on]");
    }
  });
}

}  // namespace legate
