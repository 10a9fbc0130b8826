// HttpUpload: XEP-0363 service discovery, slot requests and the PUT.
#include "gateway/http_upload.hpp"
#include "component/form.hpp"
#include "component/text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "component/component.hpp"
#include "component/stanza.hpp"
#include "gateway/http_client.hpp"

namespace legate {

namespace {

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// The max-file-size field of the upload form in a disco#info result (XEP-0128 extension).
std::optional<std::uint64_t> announced_limit(const Element& info) {
  for (const Element& form : info.children()) {
    if (!form.is("x", Form::kNs)) continue;
    bool upload_form = false;
    std::optional<std::uint64_t> limit;
    for (const Element& field : form.children()) {
      if (!field.is("field", Form::kNs)) continue;
      const std::string_view var = field.attr_or("var");
      const std::string_view value = field.child_text("value", Form::kNs);
      if (var == "FORM_TYPE") upload_form = value == kHttpUploadNs;
      if (var == "max-file-size") limit = parse_size(value);
    }
    if (upload_form) return limit;
  }
  return std::nullopt;
}

bool has_feature(const Element& info, std::string_view feature) {
  return std::any_of(info.children().begin(), info.children().end(), [&](const Element& e) {
    return e.is("feature", kDiscoInfoNs) && e.attr_or("var") == feature;
  });
}

bool has_identity(const Element& info, std::string_view category, std::string_view type) {
  return std::any_of(info.children().begin(), info.children().end(), [&](const Element& e) {
    return e.is("identity", kDiscoInfoNs) && e.attr_or("category") == category &&
           e.attr_or("type") == type;
  });
}

UploadSlot parse_slot(const Element& reply) {
  const Element* slot = reply.child("slot", kHttpUploadNs);
  const Element* put = slot ? slot->child("put", kHttpUploadNs) : nullptr;
  const Element* get = slot ? slot->child("get", kHttpUploadNs) : nullptr;
  if (!put || !get || put->attr_or("url").empty() || get->attr_or("url").empty())
    throw std::runtime_error("HTTP upload: the slot reply has no put or get URL");
  UploadSlot result{std::string(put->attr_or("url")), std::string(get->attr_or("url")), {}};
  for (const Element& header : put->children()) {
    if (!header.is("header", kHttpUploadNs)) continue;
    const std::string_view name = header.attr_or("name");
    const std::string& value = header.text();
    // XEP-0363 §5: only these three may be passed on, and never with a newline (which would
    // let the service inject headers or a second request).
    const bool allowed =
        iequals(name, "Authorization") || iequals(name, "Cookie") || iequals(name, "Expires");
    if (!allowed || value.find_first_of("\r\n") != std::string::npos) {
      spdlog::warn("HTTP upload: ignoring slot header '{}'", name);
      continue;
    }
    result.headers.emplace_back(std::string(name), value);
  }
  return result;
}

}  // namespace

HttpUpload::HttpUpload(Component& component, std::string server_domain,
                       std::string configured_service)
    : component_(component),
      server_domain_(std::move(server_domain)),
      service_(std::move(configured_service)) {}

asio::awaitable<std::optional<Element>> HttpUpload::disco_info(const std::string& jid) {
  Element iq = make_iq(IqType::get, component_.jid().full(), jid, component_.router().next_id());
  iq.add_child("query", std::string(kDiscoInfoNs));
  try {
    Element reply = co_await component_.request(std::move(iq), iq_timeout_);
    if (const Element* query = reply.child("query", kDiscoInfoNs)) co_return *query;
    spdlog::debug("HTTP upload: disco#info of {} returned no query", jid);
  } catch (const StanzaError& e) {
    spdlog::debug("HTTP upload: disco#info of {} failed: {}", jid, e.what());
  }
  co_return std::nullopt;
}

bool HttpUpload::accept_service(const Element& info) {
  if (!has_feature(info, kHttpUploadNs)) return false;
  max_file_size_ = announced_limit(info);
  return true;
}

asio::awaitable<std::string> HttpUpload::service() {
  if (service_checked_) co_return service_;
  if (!service_.empty()) {
    // Configured: trust it, but learn its size limit if it tells.
    auto info = co_await disco_info(service_);
    if (!info || !accept_service(*info))
      spdlog::warn("HTTP upload: configured service {} does not announce {}", service_,
                   kHttpUploadNs);
    service_checked_ = true;
    co_return service_;
  }

  Element iq =
      make_iq(IqType::get, component_.jid().full(), server_domain_, component_.router().next_id());
  iq.add_child("query", std::string(kDiscoItemsNs));
  // Errors here (the server unreachable, no reply) propagate: they are not "no service".
  const Element reply = co_await component_.request(std::move(iq), iq_timeout_);
  std::vector<std::string> candidates;
  if (const Element* query = reply.child("query", kDiscoItemsNs)) {
    for (const Element& item : query->children())
      if (item.is("item", kDiscoItemsNs) && item.attr_or("node").empty() &&
          !item.attr_or("jid").empty())
        candidates.emplace_back(item.attr_or("jid"));
  }
  // Some servers offer the service on their own domain.
  candidates.push_back(server_domain_);

  for (const std::string& jid : candidates) {
    auto info = co_await disco_info(jid);
    if (!info || !accept_service(*info)) continue;
    if (!has_identity(*info, "store", "file"))
      spdlog::debug("HTTP upload: {} has the feature but no store/file identity", jid);
    service_ = jid;
    service_checked_ = true;
    if (max_file_size_)
      spdlog::info("HTTP upload: using {} (files up to {} bytes)", jid, *max_file_size_);
    else
      spdlog::info("HTTP upload: using {} (no size limit announced)", jid);
    co_return service_;
  }
  throw StanzaError(ErrorCondition::item_not_found,
                    "no HTTP upload service (XEP-0363) found on " + server_domain_);
}

asio::awaitable<UploadSlot> HttpUpload::request_slot(std::string_view filename, std::uint64_t size,
                                                     std::string_view content_type) {
  if (filename.empty())
    throw StanzaError(ErrorCondition::bad_request, "HTTP upload: empty file name");
  const std::string jid = co_await service();
  if (max_file_size_ && size > *max_file_size_)
    throw StanzaError(ErrorCondition::not_acceptable,
                      "file too large: " + std::to_string(size) + " bytes, the upload service " +
                          jid + " accepts at most " + std::to_string(*max_file_size_));

  Element iq = make_iq(IqType::get, component_.jid().full(), jid, component_.router().next_id());
  Element& request = iq.add_child("request", std::string(kHttpUploadNs));
  request.set_attr("filename", filename);
  request.set_attr("size", std::to_string(size));
  if (!content_type.empty()) request.set_attr("content-type", content_type);
  try {
    const Element reply = co_await component_.request(std::move(iq), iq_timeout_);
    co_return parse_slot(reply);
  } catch (const StanzaError& e) {
    if (e.condition() == ErrorCondition::forbidden || e.condition() == ErrorCondition::not_allowed)
      log_refusal(jid, e);
    throw;
  }
}

// The user is told; the admin is the one who can fix it, so the first refusal is a warning
// naming the fix (ejabberd's mod_http_upload refuses other hosts than its own by default).
void HttpUpload::log_refusal(const std::string& jid, const StanzaError& e) {
  if (refusal_logged_) {
    spdlog::debug("HTTP upload: {} refused a slot again: {}", jid, e.what());
    return;
  }
  refusal_logged_ = true;
  spdlog::warn(
      "HTTP upload: {} refuses slots to {} ({}); let the gateway's domain use it (ejabberd: "
      "mod_http_upload's access rule, see docs/admin.md); until then the legacy network's files "
      "cannot reach users",
      jid, component_.jid().domain(), e.what());
}

asio::awaitable<std::string> HttpUpload::upload(std::string_view filename,
                                                std::string_view content_type,
                                                std::string_view data) {
  const UploadSlot slot = co_await request_slot(filename, data.size(), content_type);
  const unsigned status = co_await http_put(component_.router().executor(), slot.put_url,
                                            slot.headers, content_type, data, put_timeout_);
  if (status < 200 || status >= 300)
    throw std::runtime_error("HTTP upload: PUT to " + redact_url(slot.put_url) + " answered HTTP " +
                             std::to_string(status));
  spdlog::debug("HTTP upload: {} bytes stored at {}", data.size(), redact_url(slot.get_url));
  remember_origin(slot.get_url);
  co_return slot.get_url;
}

asio::awaitable<std::string> HttpUpload::upload_stream(std::string_view filename,
                                                       std::string_view content_type,
                                                       std::uint64_t size, HttpBodySource source) {
  const UploadSlot slot = co_await request_slot(filename, size, content_type);
  const unsigned status =
      co_await http_put_stream(component_.router().executor(), slot.put_url, slot.headers,
                               content_type, size, std::move(source), put_timeout_);
  if (status < 200 || status >= 300)
    throw std::runtime_error("HTTP upload: PUT to " + redact_url(slot.put_url) + " answered HTTP " +
                             std::to_string(status));
  spdlog::debug("HTTP upload: {} bytes streamed to {}", size, redact_url(slot.get_url));
  remember_origin(slot.get_url);
  co_return slot.get_url;
}

void HttpUpload::remember_origin(std::string_view get_url) {
  if (auto origin = url_origin(get_url); !origin.empty() && origins_.size() < 16)
    origins_.insert(std::move(origin));
}

bool HttpUpload::is_own_url(std::string_view url) const {
  const std::string origin = url_origin(url);
  return !origin.empty() && origins_.count(origin) > 0;
}

std::string url_origin(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return {};
  if (parsed->scheme_id() != boost::urls::scheme::http &&
      parsed->scheme_id() != boost::urls::scheme::https)
    return {};
  if (parsed->encoded_host().empty()) return {};
  std::string origin(parsed->scheme());
  origin += "://";
  origin += parsed->encoded_host_and_port();
  return origin;
}

}  // namespace legate
