#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vitrina::http::core {

using PathParams = std::vector<std::pair<std::string, std::string>>;

// A route path such as "/catalog/{id}": literal segments and whole-segment captures. The text is
// also the route's name in logs and metrics, so a path with ids in it never becomes a label.
class PathTemplate {
 public:
  // nullopt when the text does not start with '/' or a capture is not a whole "{name}" segment.
  static std::optional<PathTemplate> Parse(std::string_view text);

  // Matches a request path (without the query string); captured segments are appended to
  // `params`. Captures never match an empty segment.
  bool Match(std::string_view path, PathParams& params) const;

  const std::string& text() const { return text_; }

 private:
  struct Segment {
    std::string text;
    bool capture = false;
  };
  std::string text_;
  std::vector<Segment> segments_;
};

}  // namespace vitrina::http::core
