// Element accessors, serialisation and structural comparison.
#include "component/element.hpp"
#include "component/text.hpp"

#include <algorithm>

#include "component/xml_escape.hpp"

namespace legate {

std::optional<std::string_view> Element::attr(std::string_view name) const {
  for (const auto& a : attributes_)
    if (a.name == name) return std::string_view(a.value);
  return std::nullopt;
}

std::string_view Element::attr_or(std::string_view name, std::string_view fallback) const {
  auto value = attr(name);
  return value ? *value : fallback;
}

Element& Element::set_attr(std::string_view name, std::string_view value) {
  for (auto& a : attributes_) {
    if (a.name == name) {
      a.value.assign(value);
      return *this;
    }
  }
  attributes_.push_back({std::string(name), std::string(value)});
  return *this;
}

bool Element::remove_attr(std::string_view name) {
  auto it = std::find_if(attributes_.begin(), attributes_.end(),
                         [&](const Attribute& a) { return a.name == name; });
  if (it == attributes_.end()) return false;
  attributes_.erase(it);
  return true;
}

Element& Element::add_child(Element child) {
  children_.push_back(std::move(child));
  return children_.back();
}

const Element* Element::child(std::string_view name, std::string_view ns) const {
  for (const auto& c : children_)
    if (c.is(name, ns)) return &c;
  return nullptr;
}

Element* Element::child(std::string_view name, std::string_view ns) {
  for (auto& c : children_)
    if (c.is(name, ns)) return &c;
  return nullptr;
}

std::string_view Element::child_text(std::string_view name, std::string_view ns) const {
  const Element* c = child(name, ns);
  return c ? std::string_view(c->text()) : std::string_view();
}

std::size_t Element::remove_children(std::string_view name, std::string_view ns) {
  return std::erase_if(children_, [&](const Element& c) { return c.is(name, ns); });
}

std::string Element::str(std::string_view parent_ns) const {
  std::string out;
  append_to(out, parent_ns);
  return out;
}

void Element::append_to(std::string& out, std::string_view parent_ns) const {
  out += '<';
  out += name_;
  if (ns_ != parent_ns) {
    out += " xmlns='";
    append_escaped_attr(out, ns_);
    out += '\'';
  }
  for (const auto& a : attributes_) {
    out += ' ';
    out += a.name;
    out += "='";
    append_escaped_attr(out, a.value);
    out += '\'';
  }
  if (children_.empty() && text_.empty()) {
    out += "/>";
    return;
  }
  out += '>';
  append_escaped_text(out, text_);
  for (const auto& c : children_) c.append_to(out, ns_);
  out += "</";
  out += name_;
  out += '>';
}

namespace {

std::string where(const Element& e) {
  return "<" + std::string(e.name()) + "/>";
}

}  // namespace

std::string structural_difference(const Element& a, const Element& b) {
  if (a.name() != b.name()) return "name " + std::string(a.name()) + " != " + std::string(b.name());
  if (a.ns() != b.ns())
    return where(a) + " namespace '" + std::string(a.ns()) + "' != '" + std::string(b.ns()) + "'";
  if (a.attributes().size() != b.attributes().size())
    return where(a) + " attribute count differs: " + a.str() + " vs " + b.str();
  for (const auto& attr : a.attributes()) {
    auto other = b.attr(attr.name);
    if (!other) return where(a) + " attribute " + attr.name + " missing on one side";
    if (*other != attr.value)
      return where(a) + " attribute " + attr.name + ": '" + attr.value + "' != '" +
             std::string(*other) + "'";
  }
  if (trim(a.text()) != trim(b.text()))
    return where(a) + " text '" + a.text() + "' != '" + b.text() + "'";
  if (a.children().size() != b.children().size())
    return where(a) + " child count " + std::to_string(a.children().size()) +
           " != " + std::to_string(b.children().size());
  for (std::size_t i = 0; i < a.children().size(); ++i) {
    std::string diff = structural_difference(a.children()[i], b.children()[i]);
    if (!diff.empty()) return where(a) + " > " + diff;
  }
  return {};
}

bool structurally_equal(const Element& a, const Element& b) {
  return structural_difference(a, b).empty();
}

}  // namespace legate
