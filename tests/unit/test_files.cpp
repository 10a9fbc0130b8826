// Files, the pieces: OOB classification of a user's message, the file message a contact
// sends, safe file names, OutgoingFile sources, and the upload cache on a real SQLite file.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fstream>

#include "component/xml_parse.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/file.hpp"
#include "storage/database.hpp"
#include "storage/upload_cache.hpp"
#include "tests/unit/storage_test_util.hpp"

using namespace legate;
using Kind = InboundMessage::Kind;

namespace {

// Drains a source on a private io_context.
std::string drain(ByteSource source, std::size_t* chunks = nullptr) {
  asio::io_context io;
  auto task = [&]() -> asio::awaitable<std::string> {
    std::string all;
    std::size_t n = 0;
    while (auto chunk = co_await source()) {
      all += *chunk;
      ++n;
    }
    if (chunks) *chunks = n;
    co_return all;
  };
  auto future = asio::co_spawn(io, task(), asio::use_future);
  io.run();
  return future.get();
}

}  // namespace

TEST_CASE("files: a user's message with an OOB URL is a file; a different body is a caption") {
  InboundMessage m = classify_message(parse_element(
      "<message type='chat' id='f1' "
      "to='alice@gw.example'><body>http://up.example/a/b%20c.png</body>"
      "<x xmlns='jabber:x:oob'><url> http://up.example/a/b%20c.png </url></x></message>"));
  CHECK(m.kind == Kind::file);
  CHECK(m.url == "http://up.example/a/b%20c.png");
  CHECK(m.body.empty());
  m = classify_message(
      parse_element("<message type='chat' id='f2'><body>look at this</body>"
                    "<x xmlns='jabber:x:oob'><url>https://up.example/x.jpg</url></x></message>"));
  CHECK(m.kind == Kind::file);
  CHECK(m.body == "look at this");
  // An OOB element without a URL is no file: the body is plain text.
  m = classify_message(parse_element(
      "<message type='chat' id='f3'><body>hi</body><x xmlns='jabber:x:oob'/></message>"));
  CHECK(m.kind == Kind::text);
}

TEST_CASE("files: a contact's file message carries the URL as body and OOB, markable") {
  const Element message =
      file_message("alice@gw.example", "romeo@example.org", "id1", "https://up.example/f/p.png");
  const Element expected = parse_element(
      "<message xmlns='jabber:component:accept' from='alice@gw.example' to='romeo@example.org' "
      "id='id1' type='chat'><body>https://up.example/f/p.png</body>"
      "<x xmlns='jabber:x:oob'><url>https://up.example/f/p.png</url></x>"
      "<markable xmlns='urn:xmpp:chat-markers:0'/><request xmlns='urn:xmpp:receipts'/></message>");
  CHECK(structurally_equal(message, expected));
}

TEST_CASE("files: safe file names") {
  CHECK(safe_file_name("../../etc/passwd") == "passwd");
  CHECK(safe_file_name("C:\\Users\\x\\photo.jpg") == "photo.jpg");
  CHECK(safe_file_name("a\nb\tc.txt") == "abc.txt");
  CHECK(safe_file_name("") == "file");
  CHECK(safe_file_name("..") == "file");
  CHECK(safe_file_name(std::string(300, 'x')).size() == 200);
  const std::string long_utf8 = std::string(199, 'x') + "é";  // é would be cut in half
  CHECK(safe_file_name(long_utf8) == std::string(199, 'x'));
}

TEST_CASE("files: OutgoingFile sources yield the bytes in chunks, with the size up front") {
  std::string bytes(200 * 1024 + 7, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 % 256);
  OutgoingFile from_bytes = OutgoingFile::from_bytes("x.bin", bytes);
  CHECK(from_bytes.size == bytes.size());
  std::size_t chunks = 0;
  CHECK(drain(from_bytes.data, &chunks) == bytes);
  CHECK(chunks == 4);  // 64 KiB chunks: the whole file is never one piece

  legate::test::TempDir tmp;
  const std::string path = (tmp.path() / "photo.jpg").string();
  std::ofstream(path, std::ios::binary) << bytes;
  OutgoingFile from_path = OutgoingFile::from_path(path, "image/jpeg");
  CHECK(from_path.name == "photo.jpg");
  CHECK(from_path.size == bytes.size());
  CHECK(from_path.content_type == "image/jpeg");
  CHECK(drain(from_path.data) == bytes);
  CHECK_THROWS_AS(OutgoingFile::from_path((tmp.path() / "missing").string()), std::runtime_error);
}

TEST_CASE("files: the upload cache keeps a file's URL by legacy file id across reopening") {
  legate::test::TempDir tmp;
  {
    Database db(tmp.db_path());
    UploadCache cache(db);
    CHECK_FALSE(cache.find("pic-1").has_value());
    cache.put("pic-1", CachedUpload{"https://up.example/1/p.png", 1234, "image/png"});
    cache.put("pic-2", CachedUpload{"https://up.example/2/q.png", 5, "image/png"});
  }
  Database db(tmp.db_path());
  UploadCache cache(db);
  auto hit = cache.find("pic-1");
  REQUIRE(hit.has_value());
  CHECK(hit->url == "https://up.example/1/p.png");
  CHECK(hit->size == 1234);
  CHECK(hit->content_type == "image/png");
  cache.put("pic-1", CachedUpload{"https://up.example/3/p.png", 1234, "image/png"});
  CHECK(cache.find("pic-1")->url == "https://up.example/3/p.png");
  cache.remove("pic-1");
  CHECK_FALSE(cache.find("pic-1").has_value());
  CHECK(cache.find("pic-2").has_value());
}
