// Files between XMPP and the legacy network, as streams of chunks so that a large file is
// never held in memory whole.
//  - OutgoingFile: what a bridge passes to Contact::send_file() (legacy → XMPP), from a path,
//    from bytes, or from an async source (e.g. the legacy network's download).
//  - IncomingFile: what Session::on_file() receives (XMPP → legacy), read chunk by chunk
//    from the user's upload (HTTP GET) or from an In-Band Bytestream.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "../component/asio.hpp"
#include "types.hpp"

namespace legate {

// The next chunk of a file, or nullopt at its end. Throws when the transfer fails.
using ByteSource = std::function<asio::awaitable<std::optional<std::string>>()>;

struct OutgoingFile {
  std::string name;          // shown to the user; never a path
  std::string content_type;  // e.g. "image/png"; empty: application/octet-stream
  std::uint64_t size = 0;    // exact byte count: HTTP upload slots need it up front
  ByteSource data;
  std::string caption;  // sent as its own message after the file, if not empty
  LegacyId legacy_id;   // the message on the legacy network (for replies, reactions…)
  // The file's identity on the legacy network: a file sent again with the same id reuses
  // the first upload's URL instead of uploading again. Empty: no caching.
  std::string legacy_file_id;

  // Reads the file at `path` in chunks (its name is the path's last component). Throws
  // std::runtime_error when it cannot be opened.
  static OutgoingFile from_path(const std::string& path, std::string content_type = {});
  static OutgoingFile from_bytes(std::string name, std::string bytes,
                                 std::string content_type = {});
  static OutgoingFile from_source(std::string name, std::uint64_t size, ByteSource source,
                                  std::string content_type = {});
};

// A file the user sent. Chunks come as they arrive; read_all() is for small files.
class IncomingFile {
 public:
  virtual ~IncomingFile() = default;
  const std::string& name() const { return name_; }
  const std::string& content_type() const { return content_type_; }
  // Announced size, when known before reading (HTTP Content-Length).
  std::optional<std::uint64_t> size() const { return size_; }
  // The URL the user shared (empty for an In-Band Bytestream).
  const std::string& url() const { return url_; }

  // The next chunk, nullopt at the end. Throws StanzaError when the transfer fails (too big,
  // timed out, refused by the server, aborted by the sender).
  virtual asio::awaitable<std::optional<std::string>> read() = 0;
  // The whole file; throws StanzaError(resource_constraint) past `limit` bytes.
  asio::awaitable<std::string> read_all(std::uint64_t limit = 16 * 1024 * 1024);
  // This file as the source of an OutgoingFile (e.g. to pass it on without buffering).
  ByteSource source() {
    return [this] { return read(); };
  }

 protected:
  IncomingFile(std::string name, std::string content_type, std::optional<std::uint64_t> size,
               std::string url)
      : name_(std::move(name)),
        content_type_(std::move(content_type)),
        size_(size),
        url_(std::move(url)) {}

 private:
  std::string name_;
  std::string content_type_;
  std::optional<std::uint64_t> size_;
  std::string url_;
};

// A file name safe to show and to put in an upload slot: the last path component, control
// characters dropped, at most 200 bytes; "file" when nothing is left.
std::string safe_file_name(std::string_view name);

}  // namespace legate
