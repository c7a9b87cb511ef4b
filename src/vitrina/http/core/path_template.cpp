#include "vitrina/http/core/path_template.hpp"

namespace vitrina::http::core {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);  // callers checked the leading '/'
  while (true) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

}  // namespace

std::optional<PathTemplate> PathTemplate::Parse(std::string_view text) {
  if (text.empty() || text.front() != '/') return std::nullopt;
  PathTemplate parsed;
  parsed.text_ = std::string(text);
  for (const auto segment : SplitPath(text)) {
    const bool opens = segment.find('{') != std::string_view::npos;
    const bool closes = segment.find('}') != std::string_view::npos;
    if (!opens && !closes) {
      parsed.segments_.push_back(Segment{std::string(segment), false});
      continue;
    }
    if (segment.size() < 3 || segment.front() != '{' || segment.back() != '}') return std::nullopt;
    parsed.segments_.push_back(Segment{std::string(segment.substr(1, segment.size() - 2)), true});
  }
  return parsed;
}

bool PathTemplate::Match(std::string_view path, PathParams& params) const {
  if (path.empty() || path.front() != '/') return false;
  // Walks the path's segments in place: every request is matched against the routes in turn,
  // and a vector of segments per route tried cost 8 allocations per request.
  std::string_view rest = path.substr(1);
  const std::size_t first_param = params.size();
  const auto fail = [&params, first_param] {
    params.resize(first_param);
    return false;
  };
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const auto slash = rest.find('/');
    const bool last = i + 1 == segments_.size();
    // The template's last segment must be the path's last, and no other may be.
    if (last != (slash == std::string_view::npos)) return fail();
    const std::string_view segment = rest.substr(0, slash);
    const auto& expected = segments_[i];
    if (expected.capture) {
      if (segment.empty()) return fail();
      params.emplace_back(expected.text, std::string(segment));
    } else if (segment != expected.text) {
      return fail();
    }
    if (!last) rest.remove_prefix(slash + 1);
  }
  return true;
}

}  // namespace vitrina::http::core
