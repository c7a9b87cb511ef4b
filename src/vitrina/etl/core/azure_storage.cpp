#include "vitrina/etl/core/azure_storage.hpp"

#include <algorithm>
#include <map>

#include "vitrina/base/query_string.hpp"
#include "vitrina/base/text.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::etl::core {

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return out;
}

base::Error ConnectionStringError(std::string message) {
  return base::MakeError(base::ErrorCode::kInvalidArgument,
                         "AZURE_STORAGE_CONNECTION_STRING is invalid: " + std::move(message));
}

}  // namespace

base::Result<AzureStorageAccount> ParseAzureConnectionString(std::string_view text,
                                                             bool bearer_auth) {
  std::map<std::string, std::string> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(';', start), text.size());
    const std::string_view part = base::TrimAscii(text.substr(start, end - start));
    start = end + 1;
    if (part.empty()) continue;
    const auto equals = part.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return ConnectionStringError("expected Key=Value pairs separated by ';'");
    }
    // Only the first '=' separates: base64 keys and SAS tokens contain '='.
    values[Lower(base::TrimAscii(part.substr(0, equals)))] = std::string(part.substr(equals + 1));
  }
  const auto get = [&](const char* key) -> std::string {
    const auto found = values.find(key);
    return found == values.end() ? std::string() : found->second;
  };

  AzureStorageAccount account;
  if (Lower(get("usedevelopmentstorage")) == "true") {
    // Azurite's documented defaults.
    account.account_name = "devstoreaccount1";
    account.account_key =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    account.blob_endpoint = "http://127.0.0.1:10000/devstoreaccount1";
    return account;
  }
  account.account_name = get("accountname");
  account.account_key = get("accountkey");
  account.sas_token = get("sharedaccesssignature");
  if (!account.sas_token.empty() && account.sas_token.front() == '?') {
    account.sas_token.erase(0, 1);
  }
  account.blob_endpoint = get("blobendpoint");
  if (account.blob_endpoint.empty()) {
    if (account.account_name.empty()) {
      return ConnectionStringError("it has neither BlobEndpoint nor AccountName");
    }
    const std::string protocol = get("defaultendpointsprotocol").empty()
                                     ? std::string("https")
                                     : Lower(get("defaultendpointsprotocol"));
    const std::string suffix =
        get("endpointsuffix").empty() ? std::string("core.windows.net") : get("endpointsuffix");
    account.blob_endpoint = protocol + "://" + account.account_name + ".blob." + suffix;
  }
  while (!account.blob_endpoint.empty() && account.blob_endpoint.back() == '/') {
    account.blob_endpoint.pop_back();
  }
  if (account.blob_endpoint.rfind("http://", 0) != 0 &&
      account.blob_endpoint.rfind("https://", 0) != 0) {
    return ConnectionStringError("BlobEndpoint must start with http:// or https://");
  }
  if (account.account_key.empty() && account.sas_token.empty() && !bearer_auth) {
    return ConnectionStringError("it has neither AccountKey nor SharedAccessSignature");
  }
  if (!account.account_key.empty() && account.account_name.empty()) {
    return ConnectionStringError("AccountKey needs AccountName");
  }
  return account;
}

std::string EncodeBlobPath(std::string_view blob_name) {
  return base::PercentEncode(blob_name, "/");
}

std::string SharedKeyStringToSign(const BlobRequest& request, std::string_view account_name) {
  std::map<std::string, std::string> standard;
  std::map<std::string, std::string> ms_headers;  // sorted by lowercase name, as the spec wants
  for (const auto& [name, value] : request.headers) {
    const std::string lower = Lower(name);
    if (lower.rfind("x-ms-", 0) == 0) {
      ms_headers[lower] = std::string(base::TrimAscii(value));
    } else {
      standard[lower] = value;
    }
  }
  const auto header = [&](const char* name) {
    const auto found = standard.find(name);
    return found == standard.end() ? std::string() : found->second;
  };
  std::string text = request.method + "\n";
  text += header("content-encoding") + "\n";
  text += header("content-language") + "\n";
  text +=
      (request.content_length == 0 ? std::string() : std::to_string(request.content_length)) + "\n";
  text += header("content-md5") + "\n";
  text += header("content-type") + "\n";
  text += header("date") + "\n";
  text += header("if-modified-since") + "\n";
  text += header("if-match") + "\n";
  text += header("if-none-match") + "\n";
  text += header("if-unmodified-since") + "\n";
  text += header("range") + "\n";
  for (const auto& [name, value] : ms_headers) text.append(name).append(":").append(value) += '\n';
  text += "/";
  text += account_name;
  text += request.path;
  std::map<std::string, std::vector<std::string>> query;
  for (const auto& [name, value] : request.query) query[Lower(name)].push_back(value);
  for (auto& [name, list] : query) {
    std::sort(list.begin(), list.end());
    text += "\n" + name + ":";
    for (std::size_t i = 0; i < list.size(); ++i) text += (i == 0 ? "" : ",") + list[i];
  }
  return text;
}

namespace {

// The text of the first <name>...</name> in `body` when it is at most `max_length` long, or "".
std::string XmlElementText(std::string_view body, std::string_view name, std::size_t max_length) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  const auto at = body.find(open);
  if (at == std::string_view::npos) return {};
  const auto start = at + open.size();
  const auto end = body.find(close, start);
  if (end == std::string_view::npos || end - start > max_length) return {};
  return std::string(body.substr(start, end - start));
}

}  // namespace

std::string AzureErrorCode(std::string_view body) { return XmlElementText(body, "Code", 128); }

std::string AzureAuthenticationErrorDetail(std::string_view body) {
  return XmlElementText(body, "AuthenticationErrorDetail", 300);
}

std::string RedactSourceUrl(std::string_view source) {
  std::string out(source);
  // user:password@ in the authority.
  const auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const auto authority_end = out.find_first_of("/?#", scheme_end + 3);
    const auto at = out.rfind('@', authority_end);
    if (at != std::string::npos && at > scheme_end) {
      const auto colon = out.find(':', scheme_end + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // sig=... anywhere in the query string.
  const auto query = out.find('?');
  if (query == std::string::npos) return out;
  std::size_t at = query + 1;
  while (at < out.size()) {
    const auto end = std::min(out.find('&', at), out.size());
    if (Lower(std::string_view(out).substr(at, std::min<std::size_t>(4, end - at))) == "sig=") {
      out.replace(at + 4, end - at - 4, "REDACTED");
      at = at + 4 + 8 + 1;
    } else {
      at = end + 1;
    }
  }
  return out;
}

}  // namespace vitrina::etl::core
