// Stream error names, parsing and serialisation.
#include "component/stream_error.hpp"

#include <array>
#include <utility>

#include "component/element.hpp"
#include "component/xml_escape.hpp"

namespace legate {
namespace {

constexpr std::array<std::pair<StreamCondition, std::string_view>, 25> kNames{{
    {StreamCondition::bad_format, "bad-format"},
    {StreamCondition::bad_namespace_prefix, "bad-namespace-prefix"},
    {StreamCondition::conflict, "conflict"},
    {StreamCondition::connection_timeout, "connection-timeout"},
    {StreamCondition::host_gone, "host-gone"},
    {StreamCondition::host_unknown, "host-unknown"},
    {StreamCondition::improper_addressing, "improper-addressing"},
    {StreamCondition::internal_server_error, "internal-server-error"},
    {StreamCondition::invalid_from, "invalid-from"},
    {StreamCondition::invalid_namespace, "invalid-namespace"},
    {StreamCondition::invalid_xml, "invalid-xml"},
    {StreamCondition::not_authorized, "not-authorized"},
    {StreamCondition::not_well_formed, "not-well-formed"},
    {StreamCondition::policy_violation, "policy-violation"},
    {StreamCondition::remote_connection_failed, "remote-connection-failed"},
    {StreamCondition::reset, "reset"},
    {StreamCondition::resource_constraint, "resource-constraint"},
    {StreamCondition::restricted_xml, "restricted-xml"},
    {StreamCondition::see_other_host, "see-other-host"},
    {StreamCondition::system_shutdown, "system-shutdown"},
    {StreamCondition::undefined_condition, "undefined-condition"},
    {StreamCondition::unsupported_encoding, "unsupported-encoding"},
    {StreamCondition::unsupported_feature, "unsupported-feature"},
    {StreamCondition::unsupported_stanza_type, "unsupported-stanza-type"},
    {StreamCondition::unsupported_version, "unsupported-version"},
}};

}  // namespace

std::string_view to_string(StreamCondition condition) {
  for (const auto& [c, name] : kNames)
    if (c == condition) return name;
  return "undefined-condition";
}

std::optional<StreamCondition> stream_condition_from(std::string_view name) {
  for (const auto& [c, n] : kNames)
    if (n == name) return c;
  return std::nullopt;
}

StreamFailure parse_stream_error(const Element& error) {
  StreamFailure failure{StreamCondition::undefined_condition, {}};
  for (const auto& child : error.children()) {
    if (child.ns() != kStreamErrorsNs) continue;
    if (child.name() == "text") {
      failure.text = child.text();
    } else if (auto c = stream_condition_from(child.name())) {
      failure.condition = *c;
    }
  }
  return failure;
}

std::string stream_error_bytes(const StreamFailure& failure) {
  std::string out = "<stream:error><";
  out += to_string(failure.condition);
  out += " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>";
  if (!failure.text.empty()) {
    out += "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>";
    append_escaped_text(out, failure.text);
    out += "</text>";
  }
  out += "</stream:error></stream:stream>";
  return out;
}

std::string_view stream_error_hint(StreamCondition condition) {
  switch (condition) {
    case StreamCondition::not_authorized:
      return " (check [component] secret)";
    case StreamCondition::conflict:
      return " (another component is connected with this JID)";
    case StreamCondition::host_unknown:
      return " (the server has no component with this JID)";
    default:
      return "";
  }
}

}  // namespace legate
