// legate-upload-probe: drives HttpUpload over the wire for tests/e2e/test_upload.py.
// Connects as a component, uploads one file with XEP-0363 and prints the GET URL; or, with
// --put URL, only PUTs the file there (no XMPP) and prints the HTTP status.
// Exit status 0 on success, 1 with the error on stderr on failure or after --timeout.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "component/component.hpp"
#include "gateway/http_client.hpp"
#include "gateway/http_upload.hpp"

namespace {

namespace asio = boost::asio;

constexpr std::string_view kUsage =
    "usage: legate-upload-probe --jid JID --secret S --port N --server-domain D --file PATH\n"
    "         [--content-type T] [--filename NAME] [--service JID] [--timeout SECONDS]\n"
    "         [--verbose]\n"
    "       legate-upload-probe --put URL --file PATH [--content-type T] [--timeout SECONDS]\n";

struct Args {
  std::map<std::string, std::string> values;
  bool verbose = false;
  std::string get(const std::string& key, std::string fallback = {}) const {
    auto it = values.find(key);
    return it == values.end() ? fallback : it->second;
  }
};

std::optional<Args> parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--verbose") {
      args.verbose = true;
    } else if (arg.starts_with("--") && i + 1 < argc) {
      args.values[std::string(arg.substr(2))] = argv[++i];
    } else {
      return std::nullopt;
    }
  }
  return args;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream data;
  data << in.rdbuf();
  return std::move(data).str();
}

// The failure of a coroutine as one line for stderr.
std::string describe(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  const bool put_only = args && args->values.count("put");
  if (!args || !args->values.count("file") ||
      (!put_only && (!args->values.count("jid") || !args->values.count("secret") ||
                     !args->values.count("port") || !args->values.count("server-domain")))) {
    std::cerr << kUsage;
    return 2;
  }
  // Logs go to stderr: stdout carries only the result.
  auto logger = spdlog::stderr_color_mt("legate");
  spdlog::set_default_logger(logger);
  spdlog::set_level(args->verbose ? spdlog::level::debug : spdlog::level::warn);

  std::string data;
  try {
    data = read_file(args->get("file"));
  } catch (const std::exception& e) {
    std::cerr << "legate-upload-probe: " << e.what() << "\n";
    return 1;
  }
  const std::string content_type = args->get("content-type", "application/octet-stream");
  const auto timeout = std::chrono::seconds(std::stoi(args->get("timeout", "30")));

  asio::io_context io(1);
  int exit_code = 1;
  auto report = [&](std::exception_ptr failure) {
    if (failure) std::cerr << "legate-upload-probe: " << describe(failure) << "\n";
  };

  if (put_only) {
    const std::string url = args->get("put");
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          const unsigned status =
              co_await legate::http_put(io.get_executor(), url, {}, content_type, data, timeout);
          std::cout << status << std::endl;
          exit_code = 0;
        },
        report);
    io.run();
    return exit_code;
  }

  legate::ConnectionOptions options;
  options.jid = args->get("jid");
  options.secret = args->get("secret");
  options.port = static_cast<std::uint16_t>(std::stoi(args->get("port")));
  options.backoff_initial = std::chrono::milliseconds(100);
  options.backoff_max = std::chrono::seconds(1);
  legate::Component component(io.get_executor(), options);
  legate::HttpUpload upload(component, args->get("server-domain"), args->get("service"));
  upload.set_put_timeout(timeout);

  // Whatever happens, the run ends: a soft deadline closes the stream (which fails pending
  // requests), a hard one stops the loop should anything still hang. Both are cancelled once
  // the component and the upload task have both finished.
  asio::steady_timer soft_deadline(io, timeout);
  asio::steady_timer hard_deadline(io, timeout + std::chrono::seconds(10));
  bool stream_ended = false;
  int running = 2;
  auto finished = [&] {
    if (--running == 0) {
      soft_deadline.cancel();
      hard_deadline.cancel();
    }
  };
  soft_deadline.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    std::cerr << "legate-upload-probe: no result within " << timeout.count() << " s\n";
    component.stop();
  });
  hard_deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });

  asio::co_spawn(io, component.run(), [&](std::exception_ptr failure) {
    stream_ended = true;
    report(failure);
    finished();
  });
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        // The stream comes up asynchronously (Connection::on_state belongs to Component).
        asio::steady_timer poll(io);
        while (!component.connection().is_up()) {
          if (stream_ended) throw std::runtime_error("the component stream never came up");
          poll.expires_after(std::chrono::milliseconds(50));
          co_await poll.async_wait(asio::use_awaitable);
        }
        const std::string path = args->get("file");
        const std::string filename = args->get("filename", path.substr(path.find_last_of('/') + 1));
        const std::string url = co_await upload.upload(filename, content_type, data);
        std::cout << url << std::endl;
        exit_code = 0;
      },
      [&](std::exception_ptr failure) {
        report(failure);
        component.stop();
        finished();
      });
  io.run();
  return exit_code;
}
