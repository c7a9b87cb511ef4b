#pragma once

#include <string>
#include <vector>

#include "vitrina/core/error.hpp"
#include "vitrina/core/item_json.hpp"
#include "vitrina/http/message.hpp"

namespace vitrina::http {

// The one place where the protocol-neutral core::ErrorCode becomes an HTTP status.
unsigned StatusFor(core::ErrorCode code);

// {"error":{"code":"...","message":"..."[,"fields":{...}]}} with the mapped status. The client
// sees the error's message (internal errors get a generic one); the detail goes to the access
// log only.
Response ErrorResponse(const core::Error& error, const core::FieldErrors& fields = {});

// Errors of the HTTP layer itself, in the same shape.
Response NotFoundResponse(std::string_view path);
Response MethodNotAllowedResponse(const std::vector<Method>& allowed);

}  // namespace vitrina::http
