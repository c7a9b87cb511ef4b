#include "vitrina/redis/client.hpp"

#include <atomic>
#include <optional>

#include <boost/asio/this_coro.hpp>

#include "vitrina/redis/cluster_client.hpp"
#include "vitrina/redis/connection.hpp"
#include "vitrina/redis/core/slot.hpp"

namespace vitrina::redis {

namespace asio = boost::asio;

namespace {

RedisConnectionSettings ConnectionSettings(const RedisSettings& settings,
                                           core::RedisAddress address) {
  RedisConnectionSettings connection;
  connection.address = std::move(address);
  connection.address.tls = connection.address.tls || settings.tls.enabled;
  connection.tls = settings.tls;
  connection.token = settings.token;
  connection.command_timeout = settings.command_timeout;
  connection.transfer_timeout = settings.transfer_timeout;
  return connection;
}

// One node; several connections (each on its own strand) spread the load of many I/O threads.
class RedisNodeClient final : public RedisClient {
 public:
  RedisNodeClient(const asio::any_io_executor& executor, const RedisSettings& settings) {
    for (int i = 0; i < std::max(1, settings.connections_per_node); ++i) {
      connections_.push_back(std::make_unique<RedisConnection>(
          executor, ConnectionSettings(settings, settings.nodes.at(0))));
    }
  }

  asio::awaitable<base::Result<RedisReply>> Command(RedisArgs args) override {
    auto& connection = *connections_[next_++ % connections_.size()];
    co_return co_await connection.Command(std::move(args));
  }

  std::string Describe() const override {
    const auto& address = connections_.front()->address();
    return (address.tls ? "rediss://" : "redis://") + address.HostPort();
  }

 private:
  std::vector<std::unique_ptr<RedisConnection>> connections_;
  std::atomic<std::size_t> next_{0};
};

// Routes each command to the client of the executor it is awaited on.
class PerExecutorRedisClient final : public RedisClient {
 public:
  PerExecutorRedisClient(const std::vector<asio::any_io_executor>& executors,
                         const asio::any_io_executor& fallback, const RedisSettings& settings)
      : fallback_(MakeRedisClient(fallback, settings)) {
    for (const auto& executor : executors) {
      clients_.push_back({executor, MakeRedisClient(executor, settings)});
    }
  }

  asio::awaitable<base::Result<RedisReply>> Command(RedisArgs args) override {
    const auto executor = co_await asio::this_coro::executor;
    RedisClient* client = fallback_.get();
    for (const auto& [owner, own_client] : clients_) {
      if (owner == executor) {
        client = own_client.get();
        break;
      }
    }
    co_return co_await client->Command(std::move(args));
  }

  std::string Describe() const override { return fallback_->Describe(); }

 private:
  struct ExecutorClient {
    asio::any_io_executor executor;
    std::unique_ptr<RedisClient> client;
  };
  std::unique_ptr<RedisClient> fallback_;
  std::vector<ExecutorClient> clients_;
};

// Stands in for Redis when none is configured: every command fails as if Redis were down, so
// callers take their usual no-Redis path (the cache bypasses, the login limiter fails open).
class UnconfiguredRedisClient final : public RedisClient {
 public:
  asio::awaitable<base::Result<RedisReply>> Command(RedisArgs) override {
    co_return base::MakeError(base::ErrorCode::kUnavailable, "Redis is not configured");
  }
  std::string Describe() const override { return "none"; }
};

}  // namespace

std::unique_ptr<RedisClient> MakePerExecutorRedisClient(
    const std::vector<asio::any_io_executor>& executors, const asio::any_io_executor& fallback,
    const RedisSettings& settings) {
  if (settings.nodes.empty()) return std::make_unique<UnconfiguredRedisClient>();
  return std::make_unique<PerExecutorRedisClient>(executors, fallback, settings);
}

std::unique_ptr<RedisClient> MakeRedisClient(const asio::any_io_executor& executor,
                                             const RedisSettings& settings) {
  if (settings.nodes.empty()) return std::make_unique<UnconfiguredRedisClient>();
  if (settings.cluster) return std::make_unique<RedisClusterClient>(executor, settings);
  return std::make_unique<RedisNodeClient>(executor, settings);
}

RedisClusterClient::RedisClusterClient(asio::any_io_executor executor, RedisSettings settings)
    : executor_(std::move(executor)), settings_(std::move(settings)) {}

std::string RedisClusterClient::Describe() const {
  std::string text = settings_.tls.enabled ? "tls-cluster(" : "cluster(";
  for (std::size_t i = 0; i < settings_.nodes.size(); ++i) {
    text += (i > 0 ? "," : "") + settings_.nodes[i].HostPort();
  }
  return text + ")";
}

RedisConnection& RedisClusterClient::Node(const core::RedisAddress& address) {
  std::lock_guard lock(nodes_mutex_);
  auto& connection = nodes_[address.HostPort()];
  if (!connection) {
    // Nodes found through CLUSTER SLOTS or a redirection log in as the seeds do.
    core::RedisAddress node = address;
    if (node.password.empty() && !settings_.nodes.empty()) {
      node.user = settings_.nodes.front().user;
      node.password = settings_.nodes.front().password;
    }
    connection = std::make_unique<RedisConnection>(executor_,
                                                   ConnectionSettings(settings_, std::move(node)));
  }
  return *connection;
}

std::optional<core::RedisAddress> RedisClusterClient::SlotOwner(int slot) const {
  std::shared_lock lock(slots_mutex_);
  const auto& owner = slot_owner_[static_cast<std::size_t>(slot)];
  if (owner.empty()) return std::nullopt;
  const auto colon = owner.rfind(':');
  core::RedisAddress address;
  address.host = owner.substr(0, colon);
  address.port = std::stoi(owner.substr(colon + 1));
  return address;
}

asio::awaitable<base::Status> RedisClusterClient::RefreshSlots() {
  std::optional<base::Error> last_error;
  for (const auto& seed : settings_.nodes) {
    RedisArgs args = {"CLUSTER", "SLOTS"};
    auto reply = co_await Node(seed).Command(std::move(args));
    if (!reply.ok()) {
      last_error = reply.error();
      continue;
    }
    if (reply->type != RedisReply::Type::kArray) continue;
    std::unique_lock lock(slots_mutex_);
    for (auto& owner : slot_owner_) owner.clear();
    // Each entry: [first slot, last slot, [master host, port, id], replicas...].
    for (const auto& range : reply->elements) {
      if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) continue;
      const auto& master = range.elements[2];
      const std::string host =
          master.elements[0].text.empty() ? seed.host : master.elements[0].text;
      const std::string owner = host + ":" + std::to_string(master.elements[1].integer);
      for (auto slot = range.elements[0].integer; slot <= range.elements[1].integer; ++slot) {
        if (slot >= 0 && slot < core::kRedisSlotCount) {
          slot_owner_[static_cast<std::size_t>(slot)] = owner;
        }
      }
    }
    slots_loaded_ = true;
    co_return base::OkStatus();
  }
  co_return last_error.value_or(base::MakeError(base::ErrorCode::kUnavailable, "cache unavailable",
                                                "no cluster seed answered CLUSTER SLOTS"));
}

asio::awaitable<base::Result<RedisReply>> RedisClusterClient::Command(RedisArgs args) {
  bool loaded = false;
  {
    std::shared_lock lock(slots_mutex_);
    loaded = slots_loaded_;
  }
  if (!loaded) {
    if (auto status = co_await RefreshSlots(); !status.ok()) co_return status.error();
  }
  const auto key = core::CommandKey(args);
  const int slot = key ? core::KeySlot(*key) : 0;
  std::optional<core::RedisAddress> target = SlotOwner(slot);
  if (!target) target = settings_.nodes.front();
  bool asking = false;

  for (int attempt = 0; attempt <= kMaxRedirects; ++attempt) {
    base::Result<RedisReply> reply = base::MakeError(base::ErrorCode::kInternal, "unset");
    if (asking) {
      std::vector<RedisArgs> commands = {RedisArgs{"ASKING"}, args};
      auto replies = co_await Node(*target).Pipeline(std::move(commands));
      if (replies.ok()) {
        reply = std::move(replies->back());
      } else {
        reply = replies.error();
      }
    } else {
      reply = co_await Node(*target).Command(args);
    }
    if (!reply.ok()) {
      // The node may have failed over: reload the map before the next command.
      std::unique_lock lock(slots_mutex_);
      slots_loaded_ = false;
      co_return reply;
    }
    if (!reply->IsError()) co_return reply;
    const auto redirect = core::ParseRedirect(reply->text);
    if (!redirect) co_return reply;
    target = core::RedisAddress{};
    target->host = redirect->host;
    target->port = redirect->port;
    asking = redirect->ask;
    if (!redirect->ask) {
      std::unique_lock lock(slots_mutex_);
      slot_owner_[static_cast<std::size_t>(redirect->slot)] = target->HostPort();
    }
  }
  co_return base::MakeError(base::ErrorCode::kUnavailable, "cache unavailable",
                            "too many cluster redirects");
}

}  // namespace vitrina::redis
