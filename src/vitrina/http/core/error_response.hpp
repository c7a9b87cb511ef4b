#pragma once

#include <string>
#include <vector>

#include "vitrina/base/error.hpp"
#include "vitrina/http/core/message.hpp"

namespace vitrina::http::core {

// The one place where the protocol-neutral base::ErrorCode becomes an HTTP status.
unsigned StatusFor(base::ErrorCode code);

// {"error":{"code":"...","message":"..."[,"fields":{...}]}} with the mapped status. The client
// sees the error's message (internal errors get a generic one); the detail goes to the access
// log only.
Response ErrorResponse(const base::Error& error, const base::FieldErrors& fields = {});

// Errors of the HTTP layer itself, in the same shape.
Response NotFoundResponse(std::string_view path);
Response MethodNotAllowedResponse(const std::vector<Method>& allowed);

}  // namespace vitrina::http::core
