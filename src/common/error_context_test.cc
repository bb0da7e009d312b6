#include "common/error_context.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

Status FailWith(Error error) { return error; }

Result<int> ReturnsFirstError(bool fail_first, int* reached) {
  LOOM_RETURN_IF_ERROR(fail_first ? FailWith(Error::Conflict("first")) : OkStatus());
  ++*reached;
  LOOM_RETURN_IF_ERROR(Result<int>(Error::NotFound("second")));
  ++*reached;
  return 7;
}

TEST(ErrorContextTest, ReturnIfErrorStopsAtTheFirstError) {
  int reached = 0;
  Result<int> r = ReturnsFirstError(true, &reached);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().message, "first");
  EXPECT_EQ(reached, 0);

  r = ReturnsFirstError(false, &reached);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(reached, 1);
}

TEST(ErrorContextTest, ContextKeepsTheCodeAndTheFieldErrors) {
  Error e = WithContext("cannot seed service 'loom'",
                        Error::Invalid("bad", {{"/services/0/id", "must be lower-case"}}));
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.message, "cannot seed service 'loom': bad");
  ASSERT_EQ(e.fields.size(), 1u);
  EXPECT_EQ(e.fields[0].pointer, "/services/0/id");
  EXPECT_EQ(e.fields[0].detail, "must be lower-case");
}

}  // namespace
}  // namespace loom
