// XmlStreamParser: incremental (push) parser of one XMPP stream. Bytes go in in chunks of
// any size; the stream header, each top-level stanza as an Element tree, and the stream end
// come out as events. A stanza over a per-stanza limit is refused alone; input no server
// would forward (not well-formed, DTDs, entities, PIs, far too large) stops the parser with
// a stream error condition.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "element.hpp"
#include "stream_error.hpp"

namespace legate {

// Limits on what one stanza may be. The component's peer is a trusted server relaying
// untrusted users' content, so a stanza over a per-stanza limit is refused alone (parsed to
// its end without keeping it, then reported with on_refused_stanza) and the stream goes on.
// Defaults, from what servers forward: Prosody 0.12 accepts client stanzas up to 256 KiB
// (c2s_stanza_size_limit) and server-to-server ones up to 512 KiB (s2s_stanza_size_limit);
// ejabberd's sample configuration uses the same figures. Both re-escape text when they
// relay it (' becomes &apos;, 6 bytes; > becomes &gt;), so a legal client stanza reaches the
// component up to 6x larger: 1.5 MiB from c2s, 3 MiB from s2s. Nothing legitimate nests
// deeper than ~12 elements (a forwarded carbon of a MAM result) or carries more than a dozen
// attributes on one element.
struct ParserLimits {
  std::size_t max_stanza_bytes = 4 * 1024 * 1024;  // one stanza's bytes, as received
  std::size_t max_depth = 32;                      // element nesting inside one stanza
  std::size_t max_attributes = 64;                 // attributes + namespace declarations
  std::size_t max_attribute_bytes = 64 * 1024;     // one attribute value
  // One stanza (or the bytes before the next one) beyond this is not a user's content that a
  // server relayed but a broken or hostile peer: the stream is closed.
  std::size_t max_stream_bytes = 16 * 1024 * 1024;
};

// Why a stanza was refused: which limit, and a text for the error reply and the log.
struct StanzaRefusal {
  enum class Limit { size, depth, attributes, attribute_size };
  Limit limit;
  std::string text;
};
std::string_view limit_name(StanzaRefusal::Limit limit);

class StreamEvents {
 public:
  virtual ~StreamEvents() = default;
  // The stream header; its attributes, plus "xmlns" for the default namespace it declares.
  virtual void on_stream_open(const Element& header) = 0;
  // One complete top-level stanza; the receiver may move from it.
  virtual void on_stanza(Element& stanza) = 0;
  // A top-level stanza over a per-stanza limit, parsed to its end and dropped: `head` is its
  // element with only the from, to, id and type attributes (those within the limits).
  virtual void on_refused_stanza(const Element& head, const StanzaRefusal& why) = 0;
  virtual void on_stream_close() = 0;
};

class XmlStreamParser {
 public:
  explicit XmlStreamParser(StreamEvents& events, ParserLimits limits = {});
  ~XmlStreamParser();
  XmlStreamParser(const XmlStreamParser&) = delete;
  XmlStreamParser& operator=(const XmlStreamParser&) = delete;

  // Parses more bytes. Returns false once the stream has failed; failure() says why, and
  // every later call returns false without parsing.
  bool feed(std::string_view bytes);
  const std::optional<StreamFailure>& failure() const;
  // Starts over for a new stream (after a reconnect or a stream restart).
  void reset();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace legate
