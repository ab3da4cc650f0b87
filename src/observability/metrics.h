// The metrics registry: areas own their stat handles (core/stats.h) and register them here by
// name; /metrics renders them in the Prometheus text exposition format (version 0.0.4).
//
// Thread safety: register everything before serving; render() may then run on any thread while
// the handles are updated concurrently.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/stats.h"

namespace gatehouse::observability {

// label name -> value, rendered in this order.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  // Requires: `name` is a valid Prometheus metric name; `help` is one line. The handle must
  // outlive the registry. A family may be registered several times with different labels.
  void add_counter(const std::string& name, const std::string& help, Labels labels,
                   const core::Counter* counter);
  void add_gauge(const std::string& name, const std::string& help, Labels labels,
                 const core::Gauge* gauge);
  // A gauge computed at render time (e.g. cache size).
  void add_gauge_fn(const std::string& name, const std::string& help, Labels labels,
                    std::function<double()> read);
  // Rendered as <name>_bucket{le=...}, <name>_sum and <name>_count, in seconds.
  void add_histogram(const std::string& name, const std::string& help, Labels labels,
                     const core::Histogram* histogram);

  std::string render() const;

 private:
  struct Series {
    Labels labels;
    const core::Counter* counter = nullptr;
    const core::Gauge* gauge = nullptr;
    std::function<double()> gauge_fn;
    const core::Histogram* histogram = nullptr;
  };
  struct Family {
    std::string name, help, type;
    std::vector<Series> series;
  };
  Family& family(const std::string& name, const std::string& help, const char* type);
  std::vector<Family> families_;
};

}  // namespace gatehouse::observability
