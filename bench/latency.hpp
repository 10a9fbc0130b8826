// Per-request latencies, as the benchmarks report them: p50, p90, p99, p99.9 and the
// maximum, in microseconds, of samples taken in nanoseconds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace legate::bench {

// The q-quantile (0..1) of `v`, in µs; 0 when `v` is empty. Reorders `v` (nth_element:
// a full sort of 200k samples per quantile would cost more than it tells).
double percentile_us(std::vector<std::int64_t>& v, double q);

// "p50 … us  p90 … us  p99 … us  p99.9 … us  max … us" (all 0 when `v` is empty).
std::string latency_summary(std::vector<std::int64_t>& v);

// One line: `label` padded to 19 columns, then the summary; nothing when `v` is empty.
void print_latency(const char* label, std::vector<std::int64_t>& v);

}  // namespace legate::bench
