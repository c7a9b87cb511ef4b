#include "vitrina/http/core/content_coding.hpp"

#include <algorithm>
#include <cctype>

#include "vitrina/base/text.hpp"

namespace vitrina::http::core {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// RFC 9110 section 12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
// thousandths; nullopt when malformed.
std::optional<int> ParseQValue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  const bool one = text[0] == '1';
  int value = one ? 1000 : 0;
  if (text.size() == 1) return value;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  int scale = 100;
  for (const char c : text.substr(2)) {
    if (c < '0' || c > '9' || (one && c != '0')) return std::nullopt;
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value;
}

// The weight of one member ("gzip;q=0.5" -> 500), nullopt when a q parameter is malformed.
std::optional<int> MemberWeight(std::string_view parameters) {
  int weight = 1000;
  while (!parameters.empty()) {
    const auto semicolon = parameters.find(';');
    const auto parameter = base::TrimAscii(parameters.substr(0, semicolon));
    parameters =
        semicolon == std::string_view::npos ? std::string_view{} : parameters.substr(semicolon + 1);
    const auto equals = parameter.find('=');
    if (equals == std::string_view::npos) continue;  // no value: not a weight
    if (!EqualsIgnoringCase(base::TrimAscii(parameter.substr(0, equals)), "q")) continue;
    const auto q = ParseQValue(base::TrimAscii(parameter.substr(equals + 1)));
    if (!q) return std::nullopt;
    weight = *q;
  }
  return weight;
}

}  // namespace

std::string_view ContentCodingName(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::kIdentity:
      return "identity";
    case ContentCoding::kGzip:
      return "gzip";
    case ContentCoding::kBrotli:
      return "br";
  }
  return "identity";
}

CodingPreference ParseAcceptEncoding(std::optional<std::string_view> header) {
  if (!header) return {};
  // Weights in thousandths; -1: no entry of its own.
  int br = -1;
  int gzip = -1;
  int identity = -1;
  int any = -1;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto member = base::TrimAscii(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (member.empty()) continue;
    const auto semicolon = member.find(';');
    const auto name = base::TrimAscii(member.substr(0, semicolon));
    const auto weight = MemberWeight(
        semicolon == std::string_view::npos ? std::string_view{} : member.substr(semicolon + 1));
    if (!weight) continue;
    // A coding listed twice keeps its highest weight.
    const auto keep = [&](int& slot) { slot = std::max(slot, *weight); };
    if (EqualsIgnoringCase(name, "br")) {
      keep(br);
    } else if (EqualsIgnoringCase(name, "gzip") || EqualsIgnoringCase(name, "x-gzip")) {
      keep(gzip);
    } else if (EqualsIgnoringCase(name, "identity")) {
      keep(identity);
    } else if (name == "*") {
      keep(any);
    }
  }
  const auto resolve = [any](int own, int otherwise) {
    if (own >= 0) return own;
    return any >= 0 ? any : otherwise;
  };
  const int br_q = resolve(br, 0);
  const int gzip_q = resolve(gzip, 0);
  // Identity not listed (nor "*"): acceptable, but below any listed coding (weight 0 here).
  const int identity_q = resolve(identity, 0);

  CodingPreference preference;
  preference.identity_acceptable = identity_q > 0 || (identity < 0 && any < 0);
  // Highest weight wins; on a tie the smaller answer: br, then gzip, then identity.
  int best_q = identity_q;
  if (gzip_q > 0 && gzip_q >= best_q) {
    preference.best = ContentCoding::kGzip;
    best_q = gzip_q;
  }
  if (br_q > 0 && br_q >= best_q) {
    preference.best = ContentCoding::kBrotli;
  }
  return preference;
}

ContentCoding ChooseContentCoding(const CodingPreference& preference, std::size_t size,
                                  std::size_t min_bytes) {
  if (size < min_bytes && preference.identity_acceptable) return ContentCoding::kIdentity;
  return preference.best;
}

}  // namespace vitrina::http::core
