// HttpUpload: files the gateway itself uploads with XEP-0363 (HTTP File Upload), e.g. an
// attachment or avatar from a legacy network that it passes on to XMPP users as a URL.
// Discovers the server's upload service, asks it for a slot from the component JID, and
// PUTs the data to the slot's URL.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../component/asio.hpp"
#include "../component/element.hpp"
#include "../component/stanza_error.hpp"
#include "http_client.hpp"

namespace legate {

class Component;

inline constexpr std::string_view kHttpUploadNs = "urn:xmpp:http:upload:0";

struct UploadSlot {
  std::string put_url;
  std::string get_url;
  // Headers the PUT must carry (the slot's <header/>s): only Authorization, Cookie and
  // Expires, as XEP-0363 allows, with newlines refused.
  std::vector<std::pair<std::string, std::string>> headers;
};

// "scheme://host[:port]" of an http(s) URL; empty for anything else.
std::string url_origin(std::string_view url);

class HttpUpload {
 public:
  // `server_domain` is the XMPP server's domain, whose disco#items are searched for the
  // service; a non-empty `configured_service` skips that search. The Component must outlive
  // this object.
  HttpUpload(Component& component, std::string server_domain, std::string configured_service);

  // The upload service's JID. The first call asks the server (disco#items of server_domain,
  // then disco#info of each item and finally of server_domain itself, for the feature
  // urn:xmpp:http:upload:0) and caches the JID and the max-file-size it announces; with a
  // configured service it only asks that JID's disco#info, for the limit. Throws
  // StanzaError(item_not_found) when no service is found; the failed search is not cached.
  // Concurrent first calls each search (harmless, just redundant queries).
  asio::awaitable<std::string> service();
  // The size limit announced by the service, once service() has found it; nullopt when the
  // service announces none.
  std::optional<std::uint64_t> max_file_size() const { return max_file_size_; }

  // Asks the service for a slot. Throws StanzaError(not_acceptable) without asking when
  // `size` is over the announced limit, the service's own StanzaError when it refuses
  // (file-too-large, quota, not allowed), StanzaError(bad_request) for an empty filename,
  // and std::runtime_error for an unusable slot reply.
  asio::awaitable<UploadSlot> request_slot(std::string_view filename, std::uint64_t size,
                                           std::string_view content_type);

  // Requests a slot for `data` and PUTs it; returns the GET URL to share. Throws what
  // request_slot throws, and std::runtime_error naming the HTTP status when the PUT is not
  // answered with 2xx (or fails on the network, or takes longer than put_timeout).
  asio::awaitable<std::string> upload(std::string_view filename, std::string_view content_type,
                                      std::string_view data);

  // The same, with the body streamed from `source` (exactly `size` bytes).
  asio::awaitable<std::string> upload_stream(std::string_view filename,
                                             std::string_view content_type, std::uint64_t size,
                                             HttpBodySource source);
  // True when `url` is on a host (scheme://host:port) where this service's slots were
  // seen: a user's bare link there is an upload, not just a link.
  bool is_own_url(std::string_view url) const;

  void set_iq_timeout(std::chrono::milliseconds timeout) { iq_timeout_ = timeout; }
  void set_put_timeout(std::chrono::seconds timeout) { put_timeout_ = timeout; }

 private:
  asio::awaitable<std::optional<Element>> disco_info(const std::string& jid);
  // True when `info` (a disco#info <query/>) is an upload service; records its limit.
  bool accept_service(const Element& info);
  void remember_origin(std::string_view get_url);
  void log_refusal(const std::string& jid, const StanzaError& e);

  Component& component_;
  std::string server_domain_;
  std::string service_;  // empty until found (or configured)
  bool service_checked_ = false;
  bool refusal_logged_ = false;  // a refused slot is a warning once, then debug
  std::optional<std::uint64_t> max_file_size_;
  std::set<std::string> origins_;  // scheme://host:port of GET URLs from our slots
  std::chrono::milliseconds iq_timeout_{std::chrono::seconds(15)};
  std::chrono::seconds put_timeout_{std::chrono::seconds(300)};
};

}  // namespace legate
