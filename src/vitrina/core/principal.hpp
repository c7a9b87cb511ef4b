#pragma once

#include <string>

namespace vitrina::core {

// Who is calling, as established by an authenticator (a development token today, a verified
// Firebase ID token later). Handlers and middleware decide on these three facts only.
struct Principal {
  std::string uid;
  bool is_admin = false;
  bool is_active = true;
};

}  // namespace vitrina::core
