// parse_element: wraps the text in a stream header so the stream parser can read it.
#include "component/xml_parse.hpp"

#include <optional>
#include <stdexcept>
#include <string>

#include "component/xml_escape.hpp"
#include "component/xml_stream_parser.hpp"

namespace legate {
namespace {

struct Collector : StreamEvents {
  std::optional<Element> first;
  int count = 0;
  void on_stream_open(const Element&) override {}
  void on_stanza(Element& stanza) override {
    if (++count == 1) first = std::move(stanza);
  }
  // parse_element reads text the program itself holds: over a limit is a bad argument.
  void on_refused_stanza(const Element&, const StanzaRefusal& why) override { refused = why.text; }
  void on_stream_close() override {}
  std::optional<std::string> refused;
};

}  // namespace

Element parse_element(std::string_view xml, std::string_view default_ns) {
  Collector collector;
  ParserLimits limits;
  limits.max_stanza_bytes = xml.size() + 1024;
  limits.max_stream_bytes = limits.max_stanza_bytes + 1024;
  limits.max_attribute_bytes = limits.max_stanza_bytes;
  XmlStreamParser parser(collector, limits);
  std::string doc = "<s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns='";
  append_escaped_attr(doc, default_ns);
  doc += "'>";
  doc += xml;
  doc += "</s:stream>";
  if (!parser.feed(doc)) {
    throw std::invalid_argument("bad XML: " + parser.failure()->text);
  }
  if (collector.refused) throw std::invalid_argument("bad XML: " + *collector.refused);
  if (collector.count != 1) {
    throw std::invalid_argument("expected exactly one element in: " + std::string(xml));
  }
  return std::move(*collector.first);
}

}  // namespace legate
