// Latency percentiles for the benchmarks' reports (latency.hpp).
#include "bench/latency.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>

namespace legate::bench {

double percentile_us(std::vector<std::int64_t>& v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

std::string latency_summary(std::vector<std::int64_t>& v) {
  const double max =
      v.empty() ? 0 : static_cast<double>(*std::max_element(v.begin(), v.end())) / 1000.0;
  const double p50 = percentile_us(v, 0.50), p90 = percentile_us(v, 0.90);
  const double p99 = percentile_us(v, 0.99), p999 = percentile_us(v, 0.999);
  char line[160];
  std::snprintf(line, sizeof line,
                "p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us", p50, p90, p99,
                p999, max);
  return line;
}

void print_latency(const char* label, std::vector<std::int64_t>& v) {
  if (v.empty()) return;
  std::printf("%-19s %s\n", label, latency_summary(v).c_str());
}

}  // namespace legate::bench
