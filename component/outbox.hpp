// Outbox: where stanzas go out. The connection implements it; tests may too.
#pragma once

namespace legate {

class Element;

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Queues one top-level stanza for sending (serialised at once; never blocks).
  virtual void send(const Element& stanza) = 0;
};

}  // namespace legate
