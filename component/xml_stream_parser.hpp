// XmlStreamParser: incremental (push) parser of one XMPP stream. Bytes go in in chunks of
// any size; the stream header, each top-level stanza as an Element tree, and the stream end
// come out as events. Hostile input stops the parser with a stream error condition.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "component/element.hpp"
#include "component/stream_error.hpp"

namespace legate {

struct ParserLimits {
  std::size_t max_stanza_bytes = 1024 * 1024;  // bytes of one stanza (or the header)
  std::size_t max_depth = 32;                  // element nesting inside one stanza
  std::size_t max_attributes = 64;             // attributes on one element
};

class StreamEvents {
 public:
  virtual ~StreamEvents() = default;
  // The stream header; its attributes, plus "xmlns" for the default namespace it declares.
  virtual void on_stream_open(const Element& header) = 0;
  // One complete top-level stanza; the receiver may move from it.
  virtual void on_stanza(Element& stanza) = 0;
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
