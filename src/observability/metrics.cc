#include "observability/metrics.h"

#include <fmt/format.h>

namespace gatehouse::observability {
namespace {

void append_label_value(std::string& out, const std::string& v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

std::string render_labels(const Labels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    append_label_value(out, v);
    out += '"';
  }
  if (!extra.empty()) {
    if (!first) out += ',';
    out += extra;
  }
  out += '}';
  return out;
}

}  // namespace

Registry::Family& Registry::family(const std::string& name, const std::string& help,
                                   const char* type) {
  for (auto& f : families_) {
    if (f.name == name) return f;
  }
  families_.push_back(Family{name, help, type, {}});
  return families_.back();
}

void Registry::add_counter(const std::string& name, const std::string& help, Labels labels,
                           const core::Counter* counter) {
  Series s;
  s.labels = std::move(labels);
  s.counter = counter;
  family(name, help, "counter").series.push_back(std::move(s));
}

void Registry::add_gauge(const std::string& name, const std::string& help, Labels labels,
                         const core::Gauge* gauge) {
  Series s;
  s.labels = std::move(labels);
  s.gauge = gauge;
  family(name, help, "gauge").series.push_back(std::move(s));
}

void Registry::add_gauge_fn(const std::string& name, const std::string& help, Labels labels,
                            std::function<double()> read) {
  Series s;
  s.labels = std::move(labels);
  s.gauge_fn = std::move(read);
  family(name, help, "gauge").series.push_back(std::move(s));
}

void Registry::add_histogram(const std::string& name, const std::string& help, Labels labels,
                             const core::Histogram* histogram) {
  Series s;
  s.labels = std::move(labels);
  s.histogram = histogram;
  family(name, help, "histogram").series.push_back(std::move(s));
}

std::string Registry::render() const {
  std::string out;
  out.reserve(4096);
  for (auto& f : families_) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name,
                   f.type);
    for (auto& s : f.series) {
      if (s.counter) {
        fmt::format_to(std::back_inserter(out), "{}{} {}\n", f.name, render_labels(s.labels),
                       s.counter->value());
      } else if (s.gauge) {
        fmt::format_to(std::back_inserter(out), "{}{} {}\n", f.name, render_labels(s.labels),
                       s.gauge->value());
      } else if (s.gauge_fn) {
        fmt::format_to(std::back_inserter(out), "{}{} {}\n", f.name, render_labels(s.labels),
                       s.gauge_fn());
      } else if (s.histogram) {
        uint64_t cumulative = 0;
        const auto& bounds = core::Histogram::kBoundsUs;
        for (size_t i = 0; i <= bounds.size(); ++i) {
          cumulative += s.histogram->bucket(i);
          std::string le = i < bounds.size() ? fmt::format("le=\"{}\"", bounds[i] / 1e6)
                                             : std::string("le=\"+Inf\"");
          fmt::format_to(std::back_inserter(out), "{}_bucket{} {}\n", f.name,
                         render_labels(s.labels, le), cumulative);
        }
        fmt::format_to(std::back_inserter(out), "{}_sum{} {}\n{}_count{} {}\n", f.name,
                       render_labels(s.labels), s.histogram->sum_us() / 1e6, f.name,
                       render_labels(s.labels), cumulative);
      }
    }
  }
  return out;
}

}  // namespace gatehouse::observability
