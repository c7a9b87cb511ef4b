#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/result.hpp"

namespace vitrina::identity::core {

// The token request of the managed-identity protocol Azure Container Apps and App Service share
// (api-version 2019-08-01): GET {endpoint}?api-version=2019-08-01&resource={resource}
// [&client_id={client_id}], with the header X-IDENTITY-HEADER: {IDENTITY_HEADER}.
// `client_id` selects a user-assigned identity; empty: the system-assigned one.
std::string TokenRequestUrl(std::string_view endpoint, std::string_view resource,
                            std::string_view client_id);

// Its answer: {"access_token": "...", "expires_on": "1700000000", "resource": "...",
// "token_type": "Bearer", ...}. expires_on is epoch seconds as a string (a number is accepted
// too); without it, expires_in (seconds from `now`). A token that is already expired at `now`
// is an error, as is a missing access_token.
base::Result<base::AccessToken> ParseTokenResponse(std::string_view json,
                                                   std::chrono::system_clock::time_point now);

// The "oid" claim of a JWT's payload, decoded without verification; empty when the token is not
// a JWT or has no such claim.
std::string TokenObjectId(std::string_view jwt);

}  // namespace vitrina::identity::core
