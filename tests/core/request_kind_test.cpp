// Tests of core/request_kind: the one spelling of a request kind in flags, payloads, recipes and
// manifests, and the one comma-separated --kinds parser collect and student train share.
#include "core/request_kind.h"

#include <gtest/gtest.h>

namespace pt {
namespace {

TEST(RequestKind, PayloadSpellingsRoundTrip) {
  for (RequestKind k : {RequestKind::absent, RequestKind::key, RequestKind::non_obvious})
    EXPECT_EQ(request_kind_of(to_string(k)), k);
  EXPECT_EQ(request_kind_of("key"), RequestKind::unknown);  // case matters, as in production rows
  EXPECT_EQ(request_kind_of("Other"), RequestKind::unknown);
}

TEST(RequestKind, KindsFlagParsesInOrderAndNamesTheFlagOnError) {
  auto both = parse_request_kinds("Non-Obvious,Key", "--kinds");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(*both, (std::vector<RequestKind>{RequestKind::non_obvious, RequestKind::key}));
  EXPECT_EQ(join_request_kinds(*both, "+"), "Non-Obvious+Key");
  EXPECT_EQ(request_kind_names(*both), (std::vector<std::string>{"Non-Obvious", "Key"}));
  for (const char* bad : {"", "Key,", "Key,,Non-Obvious", "Key;Non-Obvious", "'; DROP TABLE traces; --"}) {
    auto r = parse_request_kinds(bad, "--kinds");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::usage) << bad;
    EXPECT_EQ(r.error().message.rfind("--kinds: expected Key or Non-Obvious", 0), 0u) << r.error().message;
  }
}

}  // namespace
}  // namespace pt
