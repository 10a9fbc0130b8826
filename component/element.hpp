// Element: the value type for one XML element (a stanza or a payload), with namespace,
// attributes, child elements and text. Built by the stream parser, written by xml_writer.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace legate {

struct Attribute {
  std::string name;  // "xml:lang" for the XML namespace; no other prefixes are kept
  std::string value;
  friend bool operator==(const Attribute&, const Attribute&) = default;
};

class Element {
 public:
  Element() = default;
  Element(std::string name, std::string ns) : name_(std::move(name)), ns_(std::move(ns)) {}

  std::string_view name() const { return name_; }
  std::string_view ns() const { return ns_; }
  void set_name(std::string name) { name_ = std::move(name); }
  void set_ns(std::string ns) { ns_ = std::move(ns); }
  bool is(std::string_view name, std::string_view ns) const { return name_ == name && ns_ == ns; }

  // Attributes: a small vector beats a map for the 2-6 attributes stanzas carry.
  const std::vector<Attribute>& attributes() const { return attributes_; }
  std::optional<std::string_view> attr(std::string_view name) const;
  std::string_view attr_or(std::string_view name, std::string_view fallback = {}) const;
  Element& set_attr(std::string_view name, std::string_view value);
  bool remove_attr(std::string_view name);
  void reserve_attributes(std::size_t n) { attributes_.reserve(n); }
  void append_attr(std::string name, std::string value) {
    attributes_.push_back({std::move(name), std::move(value)});
  }

  // Text is the concatenation of this element's character data (mixed content keeps the
  // text, not its interleaving with children: XMPP payloads do not rely on it).
  const std::string& text() const { return text_; }
  Element& set_text(std::string text) {
    text_ = std::move(text);
    return *this;
  }
  void append_text(std::string_view more) { text_.append(more); }

  const std::vector<Element>& children() const { return children_; }
  std::vector<Element>& children() { return children_; }
  Element& add_child(Element child);
  Element& add_child(std::string name, std::string ns) {
    return add_child(Element(std::move(name), std::move(ns)));
  }
  const Element* child(std::string_view name, std::string_view ns) const;
  Element* child(std::string_view name, std::string_view ns);
  // The first child element, whatever its name (the payload of an iq).
  const Element* first_child() const { return children_.empty() ? nullptr : &children_.front(); }
  std::string_view child_text(std::string_view name, std::string_view ns) const;
  std::size_t remove_children(std::string_view name, std::string_view ns);

  // Serialises this element; `parent_ns` is the default namespace in scope, so an xmlns
  // attribute is written only where the namespace changes.
  std::string str(std::string_view parent_ns = {}) const;
  void append_to(std::string& out, std::string_view parent_ns = {}) const;

 private:
  std::string name_;
  std::string ns_;
  std::vector<Attribute> attributes_;
  std::vector<Element> children_;
  std::string text_;
};

// Structural equality: same name, namespace, attribute set (order ignored), children in
// order, and text with leading/trailing whitespace ignored. Used by tests and the harness.
bool structurally_equal(const Element& a, const Element& b);
// Why two elements differ (empty when equal), for test failure messages.
std::string structural_difference(const Element& a, const Element& b);

}  // namespace legate
