// Stream-level error conditions (RFC 6120 §4.9.3) and the stream error element.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace legate {

class Element;

enum class StreamCondition {
  bad_format,
  bad_namespace_prefix,
  conflict,
  connection_timeout,
  host_gone,
  host_unknown,
  improper_addressing,
  internal_server_error,
  invalid_from,
  invalid_namespace,
  invalid_xml,
  not_authorized,
  not_well_formed,
  policy_violation,
  remote_connection_failed,
  reset,
  resource_constraint,
  restricted_xml,
  see_other_host,
  system_shutdown,
  undefined_condition,
  unsupported_encoding,
  unsupported_feature,
  unsupported_stanza_type,
  unsupported_version,
};

inline constexpr std::string_view kStreamsNs = "http://etherx.jabber.org/streams";
inline constexpr std::string_view kStreamErrorsNs = "urn:ietf:params:xml:ns:xmpp-streams";

std::string_view to_string(StreamCondition condition);
std::optional<StreamCondition> stream_condition_from(std::string_view name);
// Why a server refused a component, in words an admin can act on (" (check …)"), or "".
std::string_view stream_error_hint(StreamCondition condition);

// A stream error, ours or the peer's: condition plus optional human-readable text.
struct StreamFailure {
  StreamCondition condition;
  std::string text;
};

// Parses a received <stream:error/> element.
StreamFailure parse_stream_error(const Element& error);
// The bytes of a <stream:error/> followed by the stream close tag.
std::string stream_error_bytes(const StreamFailure& failure);

}  // namespace legate
