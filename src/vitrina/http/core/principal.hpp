#pragma once

#include <string>

namespace vitrina::http::core {

// Who is calling, as established by an authenticator: a verified Firebase ID token joined with the
// user's row in `users` (auth::FirebaseAuthenticator), or a development token in local runs
// (DevTokenAuthenticator). Handlers and middleware decide on these three facts only.
struct Principal {
  std::string uid;
  bool is_admin = false;
  bool is_active = true;
};

}  // namespace vitrina::http::core
