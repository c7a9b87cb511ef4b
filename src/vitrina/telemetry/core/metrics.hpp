#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace vitrina::telemetry::core {

// A small Prometheus-style metrics registry for GET /metrics. Label NAMES are fixed when a
// family is registered; each label-value combination is created on first use and lives as long
// as the registry, so callers on hot paths resolve it once (`auto& hits = family.WithLabels(..)`)
// and then pay one relaxed atomic per update. Misuse (duplicate names, wrong label count) is a
// bug and throws std::invalid_argument.

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

class Counter {
 public:
  void Increment(std::uint64_t by = 1) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta) noexcept { value_.fetch_add(delta, std::memory_order_relaxed); }
  double Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `upper_bounds` is ascending and outlives the histogram (it belongs to the family).
  explicit Histogram(std::span<const double> upper_bounds);

  void Observe(double value) noexcept;
  template <typename Rep, typename Period>
  void ObserveDuration(std::chrono::duration<Rep, Period> duration) noexcept {
    Observe(std::chrono::duration<double>(duration).count());
  }

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
  };
  // Not atomic as a whole: a concurrent Observe may be half-visible, which Prometheus tolerates.
  // _count is taken from the +Inf bucket so that it always agrees with the buckets.
  Snapshot Read() const;
  std::span<const double> upper_bounds() const { return upper_bounds_; }

 private:
  std::span<const double> upper_bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // upper_bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Default buckets in seconds: sub-millisecond cache hits up to multi-second slow queries.
std::vector<double> LatencyBuckets();

enum class MetricType { kCounter, kGauge, kHistogram };

class MetricFamilyBase {
 public:
  MetricFamilyBase(std::string name, std::string help, MetricType type,
                   std::vector<std::string> label_names);
  virtual ~MetricFamilyBase() = default;
  MetricFamilyBase(const MetricFamilyBase&) = delete;
  MetricFamilyBase& operator=(const MetricFamilyBase&) = delete;

  const std::string& name() const { return name_; }
  // Appends "# HELP", "# TYPE" and every sample in the text exposition format.
  void Render(std::string& out) const;

 protected:
  virtual void RenderSamples(std::string& out) const = 0;
  void CheckLabelCount(std::size_t count) const;
  // name{label="value",...extra} value
  void RenderSample(std::string& out, std::string_view suffix,
                    std::span<const std::string> label_values, std::string_view extra_label,
                    std::string_view extra_value, std::string_view value) const;

  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

// Orders label-value tuples; transparent so lookups take string_views and allocate nothing.
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

template <typename Metric>
class MetricFamily : public MetricFamilyBase {
 public:
  using MetricFamilyBase::MetricFamilyBase;

  // The child for these label values, in the order of the family's label names.
  Metric& WithLabels(std::initializer_list<std::string_view> values) {
    return WithLabels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  Metric& WithLabels(std::span<const std::string_view> values) {
    CheckLabelCount(values.size());
    {
      std::shared_lock lock(mutex_);
      if (auto it = children_.find(values); it != children_.end()) return *it->second;
    }
    std::unique_lock lock(mutex_);
    if (auto it = children_.find(values); it != children_.end()) return *it->second;
    std::vector<std::string> key(values.begin(), values.end());
    return *children_.emplace(std::move(key), MakeChild()).first->second;
  }

 protected:
  virtual std::unique_ptr<Metric> MakeChild() const {
    if constexpr (std::is_default_constructible_v<Metric>) {
      return std::make_unique<Metric>();
    } else {
      throw std::logic_error("this family must override MakeChild");
    }
  }
  void RenderSamples(std::string& out) const override;

  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>, LabelValuesLess> children_;
};

// Defined in metrics.cpp: how each kind of child is written out.
template <>
void MetricFamily<Counter>::RenderSamples(std::string& out) const;
template <>
void MetricFamily<Gauge>::RenderSamples(std::string& out) const;
template <>
void MetricFamily<Histogram>::RenderSamples(std::string& out) const;

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;

class HistogramFamily : public MetricFamily<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> upper_bounds);

 protected:
  std::unique_ptr<Histogram> MakeChild() const override {
    return std::make_unique<Histogram>(upper_bounds_);
  }

 private:
  std::vector<double> upper_bounds_;
};

// A value read from elsewhere at scrape time (pool sizes, exporter counters).
struct CallbackSample {
  std::vector<std::string> label_values;
  double value = 0;
};
using CollectCallback = std::function<std::vector<CallbackSample>()>;

class MetricsRegistry {
 public:
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> upper_bounds = LatencyBuckets());
  // `type` is kCounter or kGauge; `collect` runs on the scraping thread.
  void AddCallback(MetricType type, std::string name, std::string help,
                   std::vector<std::string> label_names, CollectCallback collect);

  // The whole registry in the Prometheus text exposition format 0.0.4, families in
  // registration order, children sorted by label values.
  std::string RenderPrometheus() const;

 private:
  template <typename Family>
  Family& Add(std::unique_ptr<Family> family);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<MetricFamilyBase>> families_;
};

}  // namespace vitrina::telemetry::core
