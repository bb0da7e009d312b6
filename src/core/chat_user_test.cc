#include "core/chat_user.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

std::map<std::string, User> Users() {
  std::map<std::string, User> users;
  for (const auto& [id, email] :
       std::map<std::string, std::string>{{"alice", "alice@example.com"},
                                          {"bob", "robert.smith@example.com"},
                                          {"carol", "ops@example.com"},
                                          {"dave", "ops@example.org"}}) {
    users[id].id = id;
    users[id].email = email;
  }
  return users;
}

TEST(ChatUserTest, ByIdThenByTheEmailsLocalPart) {
  auto users = Users();
  ASSERT_NE(FindUserByChatName(users, "alice"), nullptr);
  EXPECT_EQ(FindUserByChatName(users, "alice")->id, "alice");
  EXPECT_EQ(FindUserByChatName(users, "@Alice")->id, "alice");
  EXPECT_EQ(FindUserByChatName(users, "robert.smith")->id, "bob");
  EXPECT_EQ(FindUserByChatName(users, "bob")->id, "bob");
}

TEST(ChatUserTest, UnknownOrAmbiguousIsNobody) {
  auto users = Users();
  EXPECT_EQ(FindUserByChatName(users, "mallory"), nullptr);
  EXPECT_EQ(FindUserByChatName(users, "ops"), nullptr);  // carol and dave
  EXPECT_EQ(FindUserByChatName(users, ""), nullptr);
  EXPECT_EQ(FindUserByChatName(users, "@"), nullptr);
  EXPECT_EQ(FindUserByChatName(users, "example.com"), nullptr);
}

}  // namespace
}  // namespace loom
