// FirebaseAuthenticator's two paths: a fresh user-status entry answers on the calling (I/O)
// thread, without the blocking pool or the directory; only a miss goes to the pool. Needs no
// service: the verifier and the directory are stand-ins, the thread pool and Asio are real.
#include <atomic>
#include <future>
#include <map>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include "vitrina/auth/firebase_authenticator.hpp"

namespace vitrina::auth {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Accepts "token-<uid>".
class PrefixVerifier final : public core::TokenVerifier {
 public:
  base::Result<core::VerifiedIdentity> Verify(std::string_view token) const override {
    if (token.substr(0, 6) != "token-") {
      return base::MakeError(base::ErrorCode::kUnauthenticated, "invalid token");
    }
    core::VerifiedIdentity identity;
    identity.uid = std::string(token.substr(6));
    return identity;
  }
};

class CountingDirectory final : public core::UserDirectory {
 public:
  std::map<std::string, core::UserRecord, std::less<>> rows;
  std::atomic<int> finds{0};
  base::Result<core::UserRecord> Insert(const core::NewUser&) override {
    return base::MakeError(base::ErrorCode::kInternal, "unused");
  }
  base::Result<core::UserRecord> FindByUid(std::string_view uid) override {
    ++finds;
    const auto it = rows.find(uid);
    if (it == rows.end()) return base::MakeError(base::ErrorCode::kNotFound, "no such user");
    return it->second;
  }
  base::Result<std::vector<core::UserRecord>> List(std::string_view, std::size_t) override {
    return std::vector<core::UserRecord>{};
  }
  base::Result<core::UserRecord> Update(std::string_view, const core::UserPatch&) override {
    return base::MakeError(base::ErrorCode::kInternal, "unused");
  }
};

// Runs Authenticate on a one-thread io_context for at most `limit`; nullopt if it did not finish.
std::optional<base::Result<http::core::Principal>> AuthenticateWithin(
    FirebaseAuthenticator& authenticator, const std::string& token,
    std::chrono::milliseconds limit) {
  http::core::Request request;
  request.headers = {{"authorization", "Bearer " + token}};
  asio::io_context io;
  std::optional<base::Result<http::core::Principal>> result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        result.emplace(co_await authenticator.Authenticate(request));
      },
      asio::detached);
  io.run_for(limit);
  return result;
}

TEST(FirebaseAuthenticator, ACachedUserIsAnsweredWithoutThePoolOrTheDatabase) {
  CountingDirectory users;
  users.rows["u1"] = core::UserRecord{"u1", "a@x.com", true, true};
  core::UserStatusCache cache(users, {});
  ASSERT_TRUE(cache.Get("u1").ok());  // a previous request loaded it
  asio::thread_pool pool(1);
  // The pool's only thread is stuck: a lookup that needed it could not finish.
  std::promise<void> release;
  auto released = release.get_future().share();
  asio::post(pool, [released] { released.wait(); });
  PrefixVerifier verifier;
  FirebaseAuthenticator authenticator(verifier, cache, pool);

  const auto hit = AuthenticateWithin(authenticator, "token-u1", 2000ms);
  ASSERT_TRUE(hit.has_value()) << "a cache hit waited for the blocking pool";
  ASSERT_TRUE(hit->ok());
  EXPECT_EQ((*hit)->uid, "u1");
  EXPECT_TRUE((*hit)->is_admin);
  EXPECT_EQ(users.finds.load(), 1);  // only the earlier load

  // A miss is loaded on the pool once it is free again.
  users.rows["u2"] = core::UserRecord{"u2", "b@x.com", true, false};
  release.set_value();
  const auto miss = AuthenticateWithin(authenticator, "token-u2", 5000ms);
  ASSERT_TRUE(miss.has_value());
  ASSERT_TRUE(miss->ok());
  EXPECT_FALSE((*miss)->is_admin);
  pool.join();
}

TEST(FirebaseAuthenticator, AVerifiedTokenOfAUidWithoutARowIsUnauthenticated) {
  CountingDirectory users;
  core::UserStatusCache cache(users, {});
  asio::thread_pool pool(1);
  PrefixVerifier verifier;
  FirebaseAuthenticator authenticator(verifier, cache, pool);
  const auto first = AuthenticateWithin(authenticator, "token-ghost", 5000ms);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->error().code, base::ErrorCode::kUnauthenticated);
  // Remembered: the second answer comes from the cache, with the same result.
  const auto second = AuthenticateWithin(authenticator, "token-ghost", 5000ms);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->error().code, base::ErrorCode::kUnauthenticated);
  EXPECT_EQ(users.finds.load(), 1);
  pool.join();
}

}  // namespace
}  // namespace vitrina::auth
