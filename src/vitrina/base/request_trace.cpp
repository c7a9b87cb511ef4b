#include "vitrina/base/request_trace.hpp"

namespace vitrina::base {

void RequestTrace::Record(const DependencyRecord& record) {
  if (record.type == "postgresql") {
    db_ += record.duration;
  } else if (record.type == "redis") {
    cache_ += record.duration;
  } else {
    http_ += record.duration;
  }
  if (observer_ != nullptr) {
    observer_->OnDependency(*this, record);
  }
}

namespace {
thread_local RequestTrace* current_blocking_trace = nullptr;
}  // namespace

RequestTrace* CurrentBlockingTrace() { return current_blocking_trace; }

BlockingTraceScope::BlockingTraceScope(RequestTrace* trace) : previous_(current_blocking_trace) {
  current_blocking_trace = trace;
}

BlockingTraceScope::~BlockingTraceScope() { current_blocking_trace = previous_; }

HttpCallNames DescribeHttpCall(std::string_view method, std::string_view url) {
  const std::string_view without_query = url.substr(0, url.find_first_of("?#"));
  std::string_view rest = without_query;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  const auto slash = rest.find('/');
  std::string_view host = rest.substr(0, slash);
  if (const auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  const std::string_view path = slash == std::string_view::npos ? "/" : rest.substr(slash);
  HttpCallNames names;
  names.name.append(method).append(" ").append(path);
  names.data = std::string(without_query);
  names.target = std::string(host);
  return names;
}

std::string_view SqlStateIn(std::string_view detail) {
  const auto at = detail.find("SQLSTATE ");
  if (at == std::string_view::npos || detail.size() < at + 14) return {};
  return detail.substr(at + 9, 5);
}

}  // namespace vitrina::base
