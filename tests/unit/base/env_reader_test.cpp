#include "vitrina/base/env_reader.hpp"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace vitrina::base {
namespace {

EnvReader ReaderOf(std::map<std::string, std::string> values) {
  return EnvReader(
      [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
        const auto it = values.find(std::string(name));
        if (it == values.end()) return std::nullopt;
        return it->second;
      });
}

TEST(EnvReader, DefaultsApplyWhenUnsetOrEmpty) {
  auto env = ReaderOf({{"PORT", ""}});
  EXPECT_EQ(env.Integer("PORT", 8080, 1, 65535), 8080);
  EXPECT_EQ(env.String("HOST", "127.0.0.1"), "127.0.0.1");
  EXPECT_TRUE(env.problems().empty());
}

TEST(EnvReader, EveryMalformedValueIsReportedByName) {
  auto env = ReaderOf({{"PORT", "80a"},
                       {"CACHE_ENABLED", "maybe"},
                       {"THREADS", "0"},
                       {"DATABASE_URL", "mysql://x"}});
  (void)env.Integer("PORT", 8080, 1, 65535);
  (void)env.Boolean("CACHE_ENABLED", true);
  (void)env.Integer("THREADS", 2, 1, 64);
  (void)env.Url("DATABASE_URL", "", {"postgresql://"});
  ASSERT_EQ(env.problems().size(), 4U);
  EXPECT_EQ(env.problems()[0], "PORT='80a' is not an integer");
  EXPECT_EQ(env.problems()[1], "CACHE_ENABLED='maybe' is not a boolean (use true or false)");
  EXPECT_EQ(env.problems()[2], "THREADS=0 is out of range [1, 64]");
  EXPECT_EQ(env.problems()[3], "DATABASE_URL must start with postgresql://");
}

TEST(EnvReader, ChoiceListsTheAllowedValues) {
  auto env = ReaderOf({{"VITRINA_ENV", "staging"}});
  EXPECT_EQ(env.Choice("VITRINA_ENV", "development", {"development", "production"}), "development");
  ASSERT_EQ(env.problems().size(), 1U);
  EXPECT_EQ(env.problems()[0], "VITRINA_ENV='staging' must be one of: development, production");
}

TEST(EnvReader, AFileMustPassTheSuppliedCheckAndIsNamedWhenItDoesNot) {
  auto env = ReaderOf({{"CA_FILE", "/etc/ca.pem"}, {"KEY_FILE", "/missing/key.pem"}});
  std::vector<std::string> checked;
  env.set_file_check([&checked](const std::string& path) {
    checked.push_back(path);
    return path == "/etc/ca.pem";
  });
  EXPECT_EQ(env.ReadableFile("CA_FILE"), "/etc/ca.pem");
  EXPECT_EQ(env.ReadableFile("KEY_FILE"), "/missing/key.pem");
  EXPECT_EQ(env.ReadableFile("CERT_FILE"), "");  // unset: nothing to check
  EXPECT_EQ(checked, (std::vector<std::string>{"/etc/ca.pem", "/missing/key.pem"}));
  ASSERT_EQ(env.problems().size(), 1U);
  EXPECT_EQ(env.problems()[0], "KEY_FILE=/missing/key.pem cannot be read");
}

TEST(EnvReader, WithoutACheckAFileIsTakenAsGiven) {
  auto env = ReaderOf({{"CA_FILE", "/missing/ca.pem"}});
  EXPECT_EQ(env.ReadableFile("CA_FILE"), "/missing/ca.pem");
  EXPECT_TRUE(env.problems().empty());
}

}  // namespace
}  // namespace vitrina::base
