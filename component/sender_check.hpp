// from_component_domain: the last check before a stanza goes to the server. A stanza whose
// `from` is not the component's domain (or a JID at it) makes the server end the whole
// stream (invalid-from, XEP-0114), cutting off every user for one bug: it is dropped instead.
#pragma once

#include <string_view>

#include "component/element.hpp"

namespace legate {

inline bool from_component_domain(const Element& stanza, std::string_view domain) {
  const auto from = stanza.attr("from");
  if (!from) return true;  // the server stamps it
  std::string_view host = from->substr(0, from->find('/'));
  if (const auto at = host.find('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  if (host.size() != domain.size()) return false;
  for (std::size_t i = 0; i < host.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(host[i]) != lower(domain[i])) return false;
  }
  return true;
}

}  // namespace legate
