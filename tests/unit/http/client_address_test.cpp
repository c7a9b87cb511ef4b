#include "vitrina/http/core/client_address.hpp"

#include <gtest/gtest.h>

namespace vitrina::http::core {
namespace {

TEST(ResolveClientAddress, WithoutTrustedProxiesTheHeaderIsIgnored) {
  EXPECT_EQ(ResolveClientAddress("192.0.2.10", "198.51.100.1", 0), "192.0.2.10");
  EXPECT_EQ(ResolveClientAddress("192.0.2.10", "", 0), "192.0.2.10");
}

TEST(ResolveClientAddress, OneHopTakesTheEntryTheProxyAppended) {
  // Azure Container Apps ingress appends the address it received the request from.
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "203.0.113.7", 1), "203.0.113.7");
  // Whatever the client wrote itself stays to the left and is not believed.
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "1.1.1.1, 2.2.2.2, 203.0.113.7", 1), "203.0.113.7");
}

TEST(ResolveClientAddress, TwoHopsSkipTheSecondProxysOwnEntry) {
  // client → CDN (appends the client) → ingress (appends the CDN) → us
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "6.6.6.6, 203.0.113.7, 198.51.100.20", 2),
            "203.0.113.7");
}

TEST(ResolveClientAddress, FewerEntriesThanHopsTakeTheLeftmost) {
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "203.0.113.7", 3), "203.0.113.7");
}

TEST(ResolveClientAddress, RepeatedHeadersAndEmptyElementsAreOneList) {
  // Several X-Forwarded-For fields arrive joined with ',' in order.
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "1.1.1.1,,203.0.113.7 , ", 1), "203.0.113.7");
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "1.1.1.1\t,\t203.0.113.7", 1), "203.0.113.7");
}

TEST(ResolveClientAddress, NoHeaderOrAnUnusableEntryFallsBackToThePeer) {
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "", 1), "10.0.0.5");
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", " , ", 1), "10.0.0.5");
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "unknown", 1), "10.0.0.5");
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "1.2.3.4, evil:key*", 1), "10.0.0.5");
}

TEST(ResolveClientAddress, ProxyWrittenPortsAndSpellingsShareOneBucket) {
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "203.0.113.7:50123", 1), "203.0.113.7");
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "[2001:DB8::1]:443", 1), "2001:db8::1");
  EXPECT_EQ(ResolveClientAddress("10.0.0.5", "::ffff:203.0.113.7", 1), "203.0.113.7");
}

TEST(NormalizeIpAddress, AcceptsIpv4WithOrWithoutPort) {
  EXPECT_EQ(NormalizeIpAddress("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(NormalizeIpAddress(" 203.0.113.7:8080 "), "203.0.113.7");
  EXPECT_EQ(NormalizeIpAddress("010.000.0.1"), "10.0.0.1");
  EXPECT_EQ(NormalizeIpAddress("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(NormalizeIpAddress("255.255.255.255"), "255.255.255.255");
}

TEST(NormalizeIpAddress, RefusesMalformedIpv4) {
  for (const char* text : {"256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4:", "1.2.3.4:x",
                           "0001.2.3.4", "-1.2.3.4", "1.2.3.4 5", "a.b.c.d"}) {
    EXPECT_FALSE(NormalizeIpAddress(text).has_value()) << text;
  }
}

TEST(NormalizeIpAddress, AcceptsIpv6FormsAndLowercasesThem) {
  EXPECT_EQ(NormalizeIpAddress("::1"), "::1");
  EXPECT_EQ(NormalizeIpAddress("::"), "::");
  EXPECT_EQ(NormalizeIpAddress("2001:DB8:0:0:0:0:0:1"), "2001:db8:0:0:0:0:0:1");
  EXPECT_EQ(NormalizeIpAddress("fe80::"), "fe80::");
  EXPECT_EQ(NormalizeIpAddress("[::1]"), "::1");
  EXPECT_EQ(NormalizeIpAddress("64:ff9b::192.0.2.33"), "64:ff9b::192.0.2.33");
  EXPECT_EQ(NormalizeIpAddress("1:2:3:4:5:6:192.0.2.33"), "1:2:3:4:5:6:192.0.2.33");
  EXPECT_EQ(NormalizeIpAddress("::FFFF:192.0.2.33"), "192.0.2.33");
}

TEST(NormalizeIpAddress, RefusesMalformedIpv6AndNonAddresses) {
  for (const char* text :
       {"", "unknown", "_hidden", "example.com", "1::2::3", ":1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::1", "fe80::1%eth0", "[::1",
        "[::1]x", "[::1]:", "::1.2.3", "g::1", "1:2:3:4:5:6:7:8::"}) {
    EXPECT_FALSE(NormalizeIpAddress(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace vitrina::http::core
