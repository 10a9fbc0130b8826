// Backoff: exponential growth, cap, jitter within [d/2, d], reset.
#include <doctest/doctest.h>

#include "component/backoff.hpp"

using legate::Backoff;
using std::chrono::milliseconds;

TEST_CASE("backoff: grows exponentially with jitter and stays under the cap") {
  for (std::uint64_t seed : {1u, 2u, 3u, 42u}) {
    Backoff b(milliseconds(100), milliseconds(5000), seed);
    milliseconds nominal(100);
    for (int i = 0; i < 12; ++i) {
      const auto d = b.next();
      CHECK(d >= nominal / 2);
      CHECK(d <= nominal);
      nominal = std::min(nominal * 2, milliseconds(5000));
    }
    CHECK(b.attempts() == 12);
    b.reset();
    CHECK(b.next() <= milliseconds(100));
  }
}

TEST_CASE("backoff: jitter actually varies the delays") {
  Backoff a(milliseconds(1000), milliseconds(1000), 7);
  bool varied = false;
  const auto first = a.next();
  for (int i = 0; i < 20; ++i) varied = varied || a.next() != first;
  CHECK(varied);
}
