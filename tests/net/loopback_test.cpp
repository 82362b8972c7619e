// net/loopback.h: which URLs count as this machine (the only hosts that get picktune's own
// x-picktune-trace-id header).
#include "net/loopback.h"

#include <gtest/gtest.h>

namespace pt {
namespace {

TEST(Loopback, OnlyThisMachine) {
  EXPECT_TRUE(is_loopback_url("http://127.0.0.1:8080/v1/messages"));
  EXPECT_TRUE(is_loopback_url("http://127.1.2.3/x"));
  EXPECT_TRUE(is_loopback_url("http://localhost:99"));
  EXPECT_TRUE(is_loopback_url("http://LOCALHOST/"));
  EXPECT_TRUE(is_loopback_url("http://[::1]:8080/v1"));
  EXPECT_TRUE(is_loopback_url("http://user:pw@127.0.0.1:1/"));
  EXPECT_FALSE(is_loopback_url("https://api.anthropic.com/v1/messages"));
  EXPECT_FALSE(is_loopback_url("https://127.0.0.1.evil.example/v1"));
  EXPECT_FALSE(is_loopback_url("https://localhost.evil.example/"));
  EXPECT_FALSE(is_loopback_url("https://127.0.0.1@api.openai.com/v1"));
  EXPECT_FALSE(is_loopback_url("http://[::2]/"));
  EXPECT_FALSE(is_loopback_url("not a url"));
}

}  // namespace
}  // namespace pt
