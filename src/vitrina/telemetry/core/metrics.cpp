#include "vitrina/telemetry/core/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace vitrina::telemetry::core {
namespace {

bool IsValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Go-style float text as Prometheus expects: shortest round-trip form, +Inf/-Inf/NaN.
std::string FormatPrometheusNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

void AppendEscaped(std::string& out, std::string_view text, bool escape_quotes) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

class CallbackFamily : public MetricFamilyBase {
 public:
  CallbackFamily(MetricType type, std::string name, std::string help,
                 std::vector<std::string> label_names, CollectCallback collect)
      : MetricFamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
        collect_(std::move(collect)) {}

 protected:
  void RenderSamples(std::string& out) const override {
    for (const auto& sample : collect_()) {
      CheckLabelCount(sample.label_values.size());
      RenderSample(out, "", sample.label_values, "", "", FormatPrometheusNumber(sample.value));
    }
  }

 private:
  CollectCallback collect_;
};

}  // namespace

Histogram::Histogram(std::span<const double> upper_bounds)
    : upper_bounds_(upper_bounds),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds.size() + 1)) {}

void Histogram::Observe(double value) noexcept {
  // Bucket i counts values <= bound i; cumulated only when rendering, so an observation is
  // one increment instead of one per bucket.
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.cumulative.resize(upper_bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative[i] = running;
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricFamilyBase::MetricFamilyBase(std::string name, std::string help, MetricType type,
                                   std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {
  if (!IsValidName(name_, true)) throw std::invalid_argument("invalid metric name: " + name_);
  for (const auto& label : label_names_) {
    if (!IsValidName(label, false) || label.rfind("__", 0) == 0 ||
        (type_ == MetricType::kHistogram && label == "le")) {
      throw std::invalid_argument("invalid label name '" + label + "' in " + name_);
    }
  }
}

void MetricFamilyBase::CheckLabelCount(std::size_t count) const {
  if (count != label_names_.size()) {
    throw std::invalid_argument(name_ + " takes " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(count));
  }
}

void MetricFamilyBase::Render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  AppendEscaped(out, help_, false);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += TypeName(type_);
  out += '\n';
  RenderSamples(out);
}

void MetricFamilyBase::RenderSample(std::string& out, std::string_view suffix,
                                    std::span<const std::string> label_values,
                                    std::string_view extra_label, std::string_view extra_value,
                                    std::string_view value) const {
  out += name_;
  out += suffix;
  if (!label_values.empty() || !extra_label.empty()) {
    out += '{';
    for (std::size_t i = 0; i < label_values.size(); ++i) {
      if (i > 0) out += ',';
      out += label_names_[i];
      out += "=\"";
      AppendEscaped(out, label_values[i], true);
      out += '"';
    }
    if (!extra_label.empty()) {
      if (!label_values.empty()) out += ',';
      out += extra_label;
      out += "=\"";
      out += extra_value;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

template <>
void MetricFamily<Counter>::RenderSamples(std::string& out) const {
  std::shared_lock lock(mutex_);
  for (const auto& [labels, counter] : children_) {
    RenderSample(out, "", labels, "", "", std::to_string(counter->Value()));
  }
}

template <>
void MetricFamily<Gauge>::RenderSamples(std::string& out) const {
  std::shared_lock lock(mutex_);
  for (const auto& [labels, gauge] : children_) {
    RenderSample(out, "", labels, "", "", FormatPrometheusNumber(gauge->Value()));
  }
}

template <>
void MetricFamily<Histogram>::RenderSamples(std::string& out) const {
  std::shared_lock lock(mutex_);
  for (const auto& [labels, histogram] : children_) {
    const auto snapshot = histogram->Read();
    const auto bounds = histogram->upper_bounds();
    for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
      const std::string le =
          i + 1 < snapshot.cumulative.size() ? FormatPrometheusNumber(bounds[i]) : "+Inf";
      RenderSample(out, "_bucket", labels, "le", le, std::to_string(snapshot.cumulative[i]));
    }
    RenderSample(out, "_sum", labels, "", "", FormatPrometheusNumber(snapshot.sum));
    RenderSample(out, "_count", labels, "", "", std::to_string(snapshot.cumulative.back()));
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names,
                                 std::vector<double> upper_bounds)
    : MetricFamily<Histogram>(std::move(name), std::move(help), MetricType::kHistogram,
                              std::move(label_names)),
      upper_bounds_(std::move(upper_bounds)) {
  if (!std::is_sorted(upper_bounds_.begin(), upper_bounds_.end()) ||
      std::adjacent_find(upper_bounds_.begin(), upper_bounds_.end()) != upper_bounds_.end()) {
    throw std::invalid_argument(name_ + ": bucket bounds must be strictly ascending");
  }
  // +Inf is implicit; an explicit one would render twice.
  if (!upper_bounds_.empty() && std::isinf(upper_bounds_.back())) upper_bounds_.pop_back();
}

template <typename Family>
Family& MetricsRegistry::Add(std::unique_ptr<Family> family) {
  std::lock_guard lock(mutex_);
  for (const auto& existing : families_) {
    if (existing->name() == family->name()) {
      throw std::invalid_argument("metric registered twice: " + family->name());
    }
  }
  Family& added = *family;
  families_.push_back(std::move(family));
  return added;
}

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  return Add(std::make_unique<CounterFamily>(std::move(name), std::move(help), MetricType::kCounter,
                                             std::move(label_names)));
}

GaugeFamily& MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  return Add(std::make_unique<GaugeFamily>(std::move(name), std::move(help), MetricType::kGauge,
                                           std::move(label_names)));
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> upper_bounds) {
  return Add(std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                               std::move(label_names), std::move(upper_bounds)));
}

void MetricsRegistry::AddCallback(MetricType type, std::string name, std::string help,
                                  std::vector<std::string> label_names, CollectCallback collect) {
  if (type == MetricType::kHistogram) {
    throw std::invalid_argument("callback metrics are counters or gauges: " + name);
  }
  Add(std::make_unique<CallbackFamily>(type, std::move(name), std::move(help),
                                       std::move(label_names), std::move(collect)));
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  out.reserve(4096);
  std::lock_guard lock(mutex_);
  for (const auto& family : families_) family->Render(out);
  return out;
}

}  // namespace vitrina::telemetry::core
