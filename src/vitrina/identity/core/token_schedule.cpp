#include "vitrina/identity/core/token_schedule.hpp"

#include <algorithm>

namespace vitrina::identity::core {

void TokenSchedule::Fetched(base::AccessToken token, Clock::time_point now) {
  const auto halfway = now + (token.expires_on - now) / 2;
  next_fetch_ = std::max(token.expires_on - policy_.early, halfway);
  token_ = std::move(token);
  failures_ = 0;
  last_failure_.clear();
}

void TokenSchedule::Failed(std::string reason, Clock::time_point now) {
  auto delay = policy_.first_retry;
  for (int i = 0; i < failures_ && delay < policy_.max_retry; ++i) delay *= 2;
  next_fetch_ = now + std::min(delay, policy_.max_retry);
  ++failures_;
  last_failure_ = std::move(reason);
}

base::Result<base::AccessToken> TokenSchedule::Current(Clock::time_point now) const {
  if (token_ && now < token_->expires_on) return *token_;
  std::string detail = token_ ? "the token expired" : "no token yet";
  if (!last_failure_.empty()) detail += "; last attempt: " + last_failure_;
  return base::MakeError(base::ErrorCode::kUnavailable, "managed identity token unavailable",
                         std::move(detail));
}

}  // namespace vitrina::identity::core
