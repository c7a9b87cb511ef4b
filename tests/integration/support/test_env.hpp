#pragma once

#include <cstdlib>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace vitrina::testing {

// The coordinates of a real service, exported by tools/with-services.sh. Run by hand without it, a
// test skips with a message; under `make test` (VITRINA_REQUIRE_SERVICES=1) a missing variable
// is a failure, so a broken test environment can never pass as "all skipped".
inline std::optional<std::string> ServiceEnv(const char* name) {
  if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
    return std::string(value);
  }
  return std::nullopt;
}

inline bool ServicesRequired() {
  const char* required = std::getenv("VITRINA_REQUIRE_SERVICES");
  return required != nullptr && std::string(required) == "1";
}

}  // namespace vitrina::testing

// Stops the test when `missing` holds: a failure under `make test` (VITRINA_REQUIRE_SERVICES=1),
// a skip with the message when run by hand without the services. For whatever a test needs from
// its environment that is not one variable (a database URL helper, a server a suite started).
#define VITRINA_REQUIRE(present, what)                                               \
  if (!(present)) {                                                                  \
    if (::vitrina::testing::ServicesRequired()) {                                    \
      FAIL() << what << ", but VITRINA_REQUIRE_SERVICES=1 (tools/with-services.sh)"; \
    } else {                                                                         \
      GTEST_SKIP() << what << ": run through `make test` or tools/with-services.sh"; \
    }                                                                                \
  }

// Use at the top of a test or SetUp(): binds `variable` to the service's value or stops the test.
#define VITRINA_REQUIRE_ENV(variable, name)                                                   \
  std::string variable;                                                                       \
  if (auto vitrina_env_value = ::vitrina::testing::ServiceEnv(name)) {                        \
    variable = *vitrina_env_value;                                                            \
  } else if (::vitrina::testing::ServicesRequired()) {                                        \
    FAIL() << name << " is not set, but VITRINA_REQUIRE_SERVICES=1 (tools/with-services.sh)"; \
  } else {                                                                                    \
    GTEST_SKIP() << name << " is not set: run through `make test` or tools/with-services.sh"; \
  }
