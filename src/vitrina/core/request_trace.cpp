#include "vitrina/core/request_trace.hpp"

namespace vitrina::core {

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

}  // namespace vitrina::core
