// The XEP-0114 handshake: hex SHA-1 of the stream id followed by the secret.
#include "component/handshake.hpp"

#include "component/digest.hpp"

namespace legate {

std::string handshake_digest(std::string_view stream_id, std::string_view secret) {
  return Digest(Digest::Algorithm::sha1).update(stream_id).update(secret).finish_hex();
}

}  // namespace legate
