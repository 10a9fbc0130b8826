// libxml2 push parser with SAX2 callbacks, building one Element per top-level stanza.
#include "component/xml_stream_parser.hpp"

#include "component/xml_escape.hpp"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <string>
#include <vector>

namespace legate {
namespace {

constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";
// Pieces fed to libxml2 at once: bounds how far a byte count can overshoot its limit.
constexpr std::size_t kFeedPiece = 16 * 1024;

std::string_view view(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

void append_attribute_value(std::string& out, const char* begin, const char* end);

// Namespace names come through the same attribute-value path, '&' spelled "&#38;".
std::string namespace_name(const xmlChar* uri) {
  const std::string_view raw = view(uri);
  std::string out;
  append_attribute_value(out, raw.data(), raw.data() + raw.size());
  return out;
}

// With replaceEntities off, libxml2 hands attribute values with '&' spelled "&#38;" (so a
// tree builder can tell it from an entity); nothing else can start with '&' here.
void append_attribute_value(std::string& out, const char* begin, const char* end) {
  std::string_view raw(begin, static_cast<std::size_t>(end - begin));
  constexpr std::string_view kAmp = "&#38;";
  std::size_t pos = 0;
  for (std::size_t at; (at = raw.find(kAmp, pos)) != std::string_view::npos;) {
    out.append(raw.substr(pos, at - pos));
    out += '&';
    pos = at + kAmp.size();
  }
  out.append(raw.substr(pos));
}

}  // namespace

struct XmlStreamParser::State {
  StreamEvents& events;
  ParserLimits limits;
  xmlSAXHandler sax{};
  xmlParserCtxtPtr ctxt = nullptr;
  std::optional<StreamFailure> failure;
  std::size_t depth = 0;  // open elements, the stream element included
  Element stanza;
  std::vector<Element*> open;  // path from the stanza root to the innermost open element
  long boundary = 0;           // byte offset where the current stanza (or gap) began
  long fed = 0;                // bytes given to libxml2 so far
  // The stanza being refused (its head is kept in `stanza`), or the next one when the size
  // limit was crossed inside its start tag.
  std::optional<StanzaRefusal> refusal;
  bool refusing = false;

  State(StreamEvents& e, ParserLimits l) : events(e), limits(l) {
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = &State::on_start;
    sax.endElementNs = &State::on_end;
    sax.characters = &State::on_characters;
    sax.ignorableWhitespace = &State::on_characters;
    sax.internalSubset = &State::on_doctype;
    sax.externalSubset = &State::on_doctype;
    sax.entityDecl = &State::on_entity_decl;
    sax.getEntity = &State::on_get_entity;
    sax.getParameterEntity = &State::on_get_entity;
    sax.comment = &State::on_comment;
    sax.processingInstruction = &State::on_pi;
    sax.serror = &State::on_error;
    create();
  }
  ~State() { destroy(); }

  void create() {
    ctxt = xmlCreatePushParserCtxt(&sax, nullptr, nullptr, 0, nullptr);
    if (!ctxt) throw std::bad_alloc();
    ctxt->_private = this;
    // No XML_PARSE_NOCDATA: CDATA gets its own callback, which validates the UTF-8 that
    // libxml2 2.9 does not fully check there (overlong forms pass).
    // XML_PARSE_HUGE lifts libxml2's own depth (256), name and text limits, which would end
    // the whole stream; Legate's limits (ParserLimits) are lower and refuse one stanza.
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_HUGE);
    ctxt->sax->cdataBlock = &State::on_cdata;
  }
  void destroy() {
    if (ctxt) xmlFreeParserCtxt(ctxt);
    ctxt = nullptr;
  }

  static State& of(void* ctx) {
    return *static_cast<State*>(static_cast<xmlParserCtxtPtr>(ctx)->_private);
  }

  void fail(StreamCondition condition, std::string text) {
    if (!failure) failure = StreamFailure{condition, std::move(text)};
    xmlStopParser(ctxt);
  }

  StanzaRefusal too_large() const {
    return {StanzaRefusal::Limit::size,
            "stanza larger than " + std::to_string(limits.max_stanza_bytes) + " bytes"};
  }

  void fail_too_large_for_stream() {
    fail(StreamCondition::policy_violation,
         "more than " + std::to_string(limits.max_stream_bytes) + " bytes in one stanza");
  }

  void mark_boundary() { boundary = xmlByteConsumed(ctxt); }

  static void on_start(void* ctx, const xmlChar* localname, const xmlChar* /*prefix*/,
                       const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                       int nb_attributes, int /*nb_defaulted*/, const xmlChar** attributes) {
    State& s = of(ctx);
    if (s.failure) return;
    if (s.refusing) {  // inside a refused stanza: only the depth matters
      ++s.depth;
      return;
    }
    const auto over = s.over_limits(nb_namespaces, nb_attributes, attributes);
    if (s.depth >= 1 && (over || s.refusal)) {
      if (s.depth == 1) s.stanza = Element(std::string(view(localname)), namespace_name(uri));
      s.start_refusing(over ? *over : *s.refusal, attributes, s.depth == 1 ? nb_attributes : 0);
      ++s.depth;
      return;
    }
    if (s.depth == 0 && over) {
      return s.fail(StreamCondition::policy_violation, over->text + " (stream header)");
    }
    Element* target;
    if (s.depth == 0) {
      s.stanza = Element(std::string(view(localname)), namespace_name(uri));
      target = &s.stanza;
    } else if (s.depth == 1) {
      s.stanza = Element(std::string(view(localname)), namespace_name(uri));
      s.open.clear();
      s.open.push_back(&s.stanza);
      target = &s.stanza;
    } else {
      target = &s.open.back()->add_child(std::string(view(localname)), namespace_name(uri));
      s.open.push_back(target);
    }
    ++s.depth;
    target->reserve_attributes(static_cast<std::size_t>(nb_attributes));
    for (int i = 0; i < nb_attributes; ++i) add_attribute(*target, attributes + 5 * i);
    if (s.depth == 1) {
      for (int i = 0; i < nb_namespaces; ++i) {
        if (namespaces[2 * i] == nullptr)
          s.stanza.set_attr("xmlns", namespace_name(namespaces[2 * i + 1]));
      }
      s.open_stream();
    }
  }

  // `a`: localname, prefix, URI, value, end (libxml2's SAX2 layout).
  static void add_attribute(Element& target, const xmlChar** a) {
    std::string name;
    if (a[2] != nullptr) {
      if (view(a[2]) != kXmlNs) return;  // only xml:* namespaced attributes matter
      name = "xml:";
    }
    name += view(a[0]);
    std::string value;
    append_attribute_value(value, reinterpret_cast<const char*>(a[3]),
                           reinterpret_cast<const char*>(a[4]));
    target.append_attr(std::move(name), std::move(value));
  }

  // The first per-stanza limit this element breaks (the stanza's size is checked apart).
  std::optional<StanzaRefusal> over_limits(int nb_namespaces, int nb_attributes,
                                           const xmlChar** attributes) const {
    using Limit = StanzaRefusal::Limit;
    if (depth > limits.max_depth) {
      return StanzaRefusal{Limit::depth, "stanza nested deeper than " +
                                             std::to_string(limits.max_depth) + " elements"};
    }
    if (static_cast<std::size_t>(nb_namespaces + nb_attributes) > limits.max_attributes) {
      return StanzaRefusal{Limit::attributes, "more than " + std::to_string(limits.max_attributes) +
                                                  " attributes on one element"};
    }
    for (int i = 0; i < nb_attributes; ++i) {
      const xmlChar** a = attributes + 5 * i;
      if (static_cast<std::size_t>(a[4] - a[3]) > limits.max_attribute_bytes) {
        return StanzaRefusal{
            Limit::attribute_size,
            "attribute value larger than " + std::to_string(limits.max_attribute_bytes) + " bytes"};
      }
    }
    return std::nullopt;
  }

  // From here to the end of the stanza nothing is kept but its head: the stanza's name and
  // the attributes an error reply needs (`root_attributes` when the root is being opened).
  void start_refusing(StanzaRefusal why, const xmlChar** attributes, int root_attributes) {
    Element head{std::string(stanza.name()), std::string(stanza.ns())};
    const Element& source = stanza;
    for (std::string_view name : {"from", "to", "id", "type"}) {
      if (auto v = source.attr(name)) head.set_attr(name, *v);
    }
    for (int i = 0; i < root_attributes; ++i) {
      const xmlChar** a = attributes + 5 * i;
      const std::string_view name = view(a[0]);
      if (a[2] != nullptr || static_cast<std::size_t>(a[4] - a[3]) > limits.max_attribute_bytes)
        continue;
      if (name == "from" || name == "to" || name == "id" || name == "type") add_attribute(head, a);
    }
    stanza = std::move(head);
    open.clear();
    refusal = std::move(why);
    refusing = true;
  }

  void open_stream() {
    // XMPP is UTF-8 only (RFC 6120 §11.6); libxml2 would otherwise transcode.
    const bool transcoding = ctxt->input && ctxt->input->buf && ctxt->input->buf->encoder;
    if (transcoding ||
        (ctxt->encoding &&
         std::string_view(reinterpret_cast<const char*>(ctxt->encoding)) != "UTF-8" &&
         std::string_view(reinterpret_cast<const char*>(ctxt->encoding)) != "utf-8")) {
      return fail(StreamCondition::unsupported_encoding, "streams must be UTF-8");
    }
    // Called before the header's closing '>' is consumed: count from after it.
    boundary = xmlByteConsumed(ctxt) + 1;
    events.on_stream_open(stanza);
    stanza = Element();
  }

  static void on_end(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    State& s = of(ctx);
    if (s.failure) return;
    --s.depth;
    if (s.depth == 0) {
      s.events.on_stream_close();
    } else if (s.depth == 1) {
      s.open.clear();
      const long start = s.boundary;
      s.mark_boundary();
      const auto size = static_cast<std::size_t>(s.boundary - start);
      if (size > s.limits.max_stream_bytes) return s.fail_too_large_for_stream();
      if (!s.refusing && size > s.limits.max_stanza_bytes)
        s.start_refusing(s.too_large(), nullptr, 0);
      if (s.refusing) {
        const StanzaRefusal why = std::move(*s.refusal);
        s.refusal.reset();
        s.refusing = false;
        s.events.on_refused_stanza(s.stanza, why);
      } else {
        s.events.on_stanza(s.stanza);
      }
      s.stanza = Element();
    } else if (!s.refusing) {
      s.open.pop_back();
    }
  }

  static void on_characters(void* ctx, const xmlChar* ch, int len) {
    State& s = of(ctx);
    if (s.failure || s.refusing) return;
    if (s.depth >= 2) {
      s.open.back()->append_text(
          std::string_view(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len)));
    } else if (s.depth == 1) {
      s.mark_boundary();  // whitespace keepalives between stanzas do not add up
    }
  }

  static void on_cdata(void* ctx, const xmlChar* ch, int len) {
    const std::string_view text(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len));
    if (!is_valid_xml_text(text)) {
      return of(ctx).fail(StreamCondition::not_well_formed, "invalid UTF-8 in CDATA section");
    }
    on_characters(ctx, ch, len);
  }

  static void on_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
    of(ctx).fail(StreamCondition::restricted_xml, "DOCTYPE is not allowed");
  }
  static void on_entity_decl(void* ctx, const xmlChar*, int, const xmlChar*, const xmlChar*,
                             xmlChar*) {
    of(ctx).fail(StreamCondition::restricted_xml, "entity declarations are not allowed");
  }
  // Called only for entities other than the five predefined ones.
  static xmlEntityPtr on_get_entity(void* ctx, const xmlChar* name) {
    of(ctx).fail(StreamCondition::restricted_xml,
                 "entity reference &" + std::string(view(name)) + "; is not allowed");
    return nullptr;
  }
  static void on_comment(void* ctx, const xmlChar*) {
    of(ctx).fail(StreamCondition::restricted_xml, "comments are not allowed");
  }
  static void on_pi(void* ctx, const xmlChar*, const xmlChar*) {
    of(ctx).fail(StreamCondition::restricted_xml, "processing instructions are not allowed");
  }

  static void on_error(void* ctx, xmlErrorPtr error) {
    if (!error || error->level == XML_ERR_WARNING) return;
    State& s = of(ctx);
    if (s.failure || error->code == XML_ERR_USER_STOP) return;
    // A namespace name that is not a valid URI is still a well-formed namespace (XML
    // Namespaces only recommends URIs); libxml2 reports it as an error but goes on.
    if (error->code == XML_WAR_NS_URI || error->code == XML_WAR_NS_URI_RELATIVE) return;
    std::string message = error->message ? error->message : "malformed XML";
    std::replace(message.begin(), message.end(), '\n', ' ');  // one log line per event
    while (!message.empty() && message.back() == ' ') message.pop_back();
    if (error->code == XML_ERR_UNDECLARED_ENTITY || error->code == XML_WAR_UNDECLARED_ENTITY) {
      s.failure = StreamFailure{StreamCondition::restricted_xml, std::move(message)};
    } else if (error->code == XML_ERR_UNSUPPORTED_ENCODING) {
      s.failure = StreamFailure{StreamCondition::unsupported_encoding, std::move(message)};
    } else {
      s.failure = StreamFailure{StreamCondition::not_well_formed, std::move(message)};
    }
    xmlStopParser(s.ctxt);
  }

  bool feed_piece(std::string_view piece) {
    fed += static_cast<long>(piece.size());
    const int rc = xmlParseChunk(ctxt, piece.data(), static_cast<int>(piece.size()), 0);
    if (!failure && rc != 0)
      failure = StreamFailure{StreamCondition::not_well_formed, "malformed XML"};
    if (failure) return false;
    // Between stanzas, everything parsed so far is done with; libxml2 reports whitespace
    // before consuming it, so the callbacks alone would leave the boundary behind.
    if (depth == 1) boundary = xmlByteConsumed(ctxt);
    const auto pending = static_cast<std::size_t>(fed - boundary);
    if (pending > limits.max_stream_bytes) {
      fail_too_large_for_stream();
      return false;
    }
    if (pending > limits.max_stanza_bytes && !refusal) {
      if (depth >= 2) {
        start_refusing(too_large(), nullptr, 0);
      } else if (depth == 1) {
        refusal = too_large();  // inside the next stanza's start tag
      }
    }
    return true;
  }
};

std::string_view limit_name(StanzaRefusal::Limit limit) {
  switch (limit) {
    case StanzaRefusal::Limit::size:
      return "size";
    case StanzaRefusal::Limit::depth:
      return "depth";
    case StanzaRefusal::Limit::attributes:
      return "attributes";
    case StanzaRefusal::Limit::attribute_size:
      return "attribute_size";
  }
  return "size";
}

XmlStreamParser::XmlStreamParser(StreamEvents& events, ParserLimits limits)
    : state_(std::make_unique<State>(events, limits)) {}

XmlStreamParser::~XmlStreamParser() = default;

bool XmlStreamParser::feed(std::string_view bytes) {
  State& s = *state_;
  if (s.failure) return false;
  while (!bytes.empty()) {
    const std::size_t n = std::min(bytes.size(), kFeedPiece);
    if (!s.feed_piece(bytes.substr(0, n))) return false;
    bytes.remove_prefix(n);
  }
  return true;
}

const std::optional<StreamFailure>& XmlStreamParser::failure() const {
  return state_->failure;
}

void XmlStreamParser::reset() {
  State& s = *state_;
  s.destroy();
  s.failure.reset();
  s.depth = 0;
  s.stanza = Element();
  s.open.clear();
  s.refusal.reset();
  s.refusing = false;
  s.boundary = 0;
  s.fed = 0;
  s.create();
}

}  // namespace legate
