#include "vitrina/cache/core/local_copies.hpp"

#include <gtest/gtest.h>

namespace vitrina::cache::core {
namespace {

LocalCopy Copy(std::string body) {
  return LocalCopy{"h", "e", std::make_shared<const std::string>(std::move(body)), nullptr, {}};
}

// Stands for the sealed file an adapter attaches; only its size matters here.
class FakeFile final : public http::core::BodyFile {
 public:
  explicit FakeFile(std::size_t size) : size_(size) {}
  int descriptor() const override { return -1; }
  std::size_t size() const override { return size_; }

 private:
  std::size_t size_;
};

// Key "k" + header "h" + etag "e" + body: the cost of an entry.
constexpr std::size_t kOverhead = 3;

TEST(LocalCopies, FindsWhatWasPutAndForgetsWhatWasErased) {
  LocalCopies copies(1000);
  EXPECT_FALSE(copies.Find("k"));
  copies.Put("k", Copy("body"));
  const auto found = copies.Find("k");
  ASSERT_TRUE(found);
  EXPECT_EQ(*found->body, "body");
  EXPECT_EQ(found->header, "h");
  EXPECT_EQ(copies.bytes(), kOverhead + 4);
  copies.Erase("k");
  EXPECT_FALSE(copies.Find("k"));
  EXPECT_EQ(copies.bytes(), 0u);
  copies.Erase("k");  // erasing nothing is fine
}

TEST(LocalCopies, ReplacingAKeyReplacesItsBytes) {
  LocalCopies copies(1000);
  copies.Put("k", Copy(std::string(100, 'a')));
  copies.Put("k", Copy(std::string(10, 'b')));
  EXPECT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies.bytes(), kOverhead + 10);
  EXPECT_EQ(*copies.Find("k")->body, std::string(10, 'b'));
}

TEST(LocalCopies, EvictsTheLeastRecentlyUsedToStayWithinTheBudget) {
  LocalCopies copies(3 * (kOverhead + 10));
  copies.Put("a", Copy(std::string(10, 'a')));
  copies.Put("b", Copy(std::string(10, 'b')));
  copies.Put("c", Copy(std::string(10, 'c')));
  ASSERT_TRUE(copies.Find("a"));  // "b" is now the least recently used
  copies.Put("d", Copy(std::string(10, 'd')));
  EXPECT_TRUE(copies.Find("a"));
  EXPECT_FALSE(copies.Find("b"));
  EXPECT_TRUE(copies.Find("c"));
  EXPECT_TRUE(copies.Find("d"));
  EXPECT_EQ(copies.evictions(), 1u);
  EXPECT_LE(copies.bytes(), 3 * (kOverhead + 10));
  // A larger entry evicts as many as it needs (here two, the least recently used).
  copies.Put("e", Copy(std::string(20, 'e')));
  EXPECT_TRUE(copies.Find("d"));
  EXPECT_TRUE(copies.Find("e"));
  EXPECT_EQ(copies.size(), 2u);
  EXPECT_LE(copies.bytes(), 3 * (kOverhead + 10));
}

TEST(LocalCopies, KeepsNothingLargerThanTheBudgetAndDropsTheOldCopy) {
  LocalCopies copies(50);
  copies.Put("k", Copy("small"));
  copies.Put("other", Copy("x"));
  copies.Put("k", Copy(std::string(100, 'x')));
  EXPECT_FALSE(copies.Find("k"));  // an old copy must not outlive its replacement
  EXPECT_TRUE(copies.Find("other"));
  LocalCopies none(0);
  none.Put("k", Copy(""));
  EXPECT_FALSE(none.Find("k"));
}

TEST(LocalCopies, AFileCostsItsSizeOnTopOfTheBodyAndIsCounted) {
  LocalCopies copies(1000);
  auto copy = Copy(std::string(100, 'a'));
  copy.file = std::make_shared<const FakeFile>(100);
  copies.Put("k", copy);
  copies.Put("j", Copy("x"));
  EXPECT_EQ(copies.bytes(), (kOverhead + 200) + (kOverhead + 1));
  EXPECT_EQ(copies.files(), 1u);
  ASSERT_TRUE(copies.Find("k"));
  EXPECT_EQ(copies.Find("k")->file->size(), 100u);
  copies.Put("k", Copy("replaced without a file"));
  EXPECT_EQ(copies.files(), 0u);
  // Evicted for the budget, the file is no longer counted either.
  LocalCopies small(2 * (kOverhead + 200));
  small.Put("a", copy);
  small.Put("b", copy);
  EXPECT_EQ(small.files(), 2u);
  small.Put("c", copy);
  EXPECT_EQ(small.files(), 2u);
  EXPECT_EQ(small.evictions(), 1u);
  EXPECT_LE(small.bytes(), 2 * (kOverhead + 200));
}

}  // namespace
}  // namespace vitrina::cache::core
