// OutgoingFile sources and IncomingFile helpers.
#include "legacy/file.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "component/stanza_error.hpp"

namespace legate {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

}  // namespace

OutgoingFile OutgoingFile::from_path(const std::string& path, std::string content_type) {
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (!*in) throw std::runtime_error("cannot open " + path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw std::runtime_error("cannot read the size of " + path + ": " + ec.message());
  // Local files are read in small chunks on the loop: a page-cache read of 64 KiB is short.
  ByteSource source = [in]() -> asio::awaitable<std::optional<std::string>> {
    std::string chunk(kChunk, '\0');
    in->read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in->gcount()));
    if (in->bad()) throw std::runtime_error("read error");
    if (chunk.empty()) co_return std::nullopt;
    co_return chunk;
  };
  return from_source(std::filesystem::path(path).filename().string(), size, std::move(source),
                     std::move(content_type));
}

OutgoingFile OutgoingFile::from_bytes(std::string name, std::string bytes,
                                      std::string content_type) {
  const std::uint64_t size = bytes.size();
  auto data = std::make_shared<std::string>(std::move(bytes));
  auto offset = std::make_shared<std::size_t>(0);
  ByteSource source = [data, offset]() -> asio::awaitable<std::optional<std::string>> {
    if (*offset >= data->size()) co_return std::nullopt;
    std::string chunk = data->substr(*offset, kChunk);
    *offset += chunk.size();
    co_return chunk;
  };
  return from_source(std::move(name), size, std::move(source), std::move(content_type));
}

OutgoingFile OutgoingFile::from_source(std::string name, std::uint64_t size, ByteSource source,
                                       std::string content_type) {
  OutgoingFile file;
  file.name = std::move(name);
  file.size = size;
  file.data = std::move(source);
  file.content_type = std::move(content_type);
  return file;
}

asio::awaitable<std::string> IncomingFile::read_all(std::uint64_t limit) {
  std::string all;
  while (auto chunk = co_await read()) {
    if (all.size() + chunk->size() > limit)
      throw StanzaError(ErrorCondition::resource_constraint,
                        "file larger than " + std::to_string(limit) + " bytes");
    all += *chunk;
  }
  co_return all;
}

std::string safe_file_name(std::string_view name) {
  if (auto slash = name.find_last_of("/\\"); slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  std::string out;
  for (unsigned char c : name)
    if (c >= 0x20 && c != 0x7f) out.push_back(static_cast<char>(c));
  if (out.size() > 200) {
    out.resize(200);
    // Do not end inside a UTF-8 sequence.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
  }
  if (out.empty() || out == "." || out == "..") return "file";
  return out;
}

}  // namespace legate
