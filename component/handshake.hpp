// XEP-0114 handshake digest: lowercase hex SHA-1 of (stream id + shared secret).
#pragma once

#include <string>
#include <string_view>

namespace legate {

std::string handshake_digest(std::string_view stream_id, std::string_view secret);

}  // namespace legate
