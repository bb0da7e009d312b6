#include "config/demo_secrets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "testing/temp_dir.h"

namespace loom::config {
namespace {

using ::testing::HasSubstr;

TEST(DemoSecrets, FirstRunGeneratesBothAndWritesAPrivateFile) {
  testing::TempDir dir;
  auto s = LoadOrCreateDemoSecrets(dir.path());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->key.size(), 32u);
  EXPECT_EQ(s->key.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(s->token.starts_with("loa_"));
  EXPECT_EQ(s->token.size(), 4u + 48u);
  const std::string file = dir.File("demo.env");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string text = testing::ReadFileOrDie(file);
  EXPECT_THAT(text, HasSubstr("\nLOOM_ONCALL_KEY_LOOM=" + s->key + "\n"));
  EXPECT_THAT(text, HasSubstr("\nLOOM_ONCALL_ADMIN_TOKEN=" + s->token + "\n"));
  EXPECT_TRUE(s->password.starts_with("demo-"));
  EXPECT_EQ(s->password.size(), 5u + 16u);
  EXPECT_THAT(text, HasSubstr("\nLOOM_ONCALL_DEMO_PASSWORD=" + s->password + "\n"));

  auto again = LoadOrCreateDemoSecrets(dir.path());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->key, s->key);
  EXPECT_EQ(again->token, s->token);
  EXPECT_EQ(again->password, s->password);
  EXPECT_EQ(testing::ReadFileOrDie(file), text);
}

TEST(DemoSecrets, AFileFromBeforeDemoPasswordsGetsOneAndKeepsTheRest) {
  testing::TempDir dir;
  std::ofstream(dir.File("demo.env")) << "LOOM_ONCALL_KEY_LOOM=fedcba9876543210fedcba9876543210\n"
                                         "LOOM_ONCALL_ADMIN_TOKEN=token-from-the-file\n";
  auto s = LoadOrCreateDemoSecrets(dir.path());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->token, "token-from-the-file");
  EXPECT_TRUE(s->password.starts_with("demo-"));
  EXPECT_THAT(testing::ReadFileOrDie(dir.File("demo.env")),
              HasSubstr("LOOM_ONCALL_DEMO_PASSWORD=" + s->password + "\n"));
  std::ofstream(dir.File("demo.env"), std::ios::app) << "LOOM_ONCALL_DEMO_PASSWORD=short\n";
  auto refused = LoadOrCreateDemoSecrets(dir.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("LOOM_ONCALL_DEMO_PASSWORD"));
}

TEST(DemoSecrets, ReadsCommentsQuotesAndCrlfLines) {
  testing::TempDir dir;
  std::ofstream(dir.File("demo.env"))
      << "# comment\r\n\r\n  LOOM_ONCALL_KEY_LOOM='0123456789abcdef0123456789abcdef'\r\n"
         "not a line\r\nLOOM_ONCALL_ADMIN_TOKEN=\"token-from-the-file\"\r\n";
  auto s = LoadOrCreateDemoSecrets(dir.path());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->key, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(s->token, "token-from-the-file");
}

TEST(DemoSecrets, AMissingTokenIsGeneratedAndTheKeyKept) {
  testing::TempDir dir;
  std::ofstream(dir.File("demo.env")) << "LOOM_ONCALL_KEY_LOOM=fedcba9876543210fedcba9876543210\n";
  auto s = LoadOrCreateDemoSecrets(dir.path());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->key, "fedcba9876543210fedcba9876543210");
  EXPECT_TRUE(s->token.starts_with("loa_"));
  EXPECT_THAT(testing::ReadFileOrDie(dir.File("demo.env")),
              HasSubstr("LOOM_ONCALL_ADMIN_TOKEN=" + s->token + "\n"));
}

TEST(DemoSecrets, AMalformedKeyOrAShortTokenIsRefusedNamingTheFile) {
  testing::TempDir dir;
  const std::string file = dir.File("demo.env");
  std::ofstream(file) << "LOOM_ONCALL_KEY_LOOM=not-a-key\n";
  auto s = LoadOrCreateDemoSecrets(dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().message, file + ": LOOM_ONCALL_KEY_LOOM must be 32 hex characters");

  std::ofstream(file) << "LOOM_ONCALL_ADMIN_TOKEN=short\n";
  s = LoadOrCreateDemoSecrets(dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, file + ": LOOM_ONCALL_ADMIN_TOKEN must be at least 16 characters");
  EXPECT_EQ(testing::ReadFileOrDie(file), "LOOM_ONCALL_ADMIN_TOKEN=short\n");  // left as it was
}

TEST(DemoSecrets, AFileThatCannotBeWrittenIsAnInternalError) {
  testing::TempDir dir;
  std::filesystem::create_directory(dir.File("demo.env"));  // reads as empty, cannot be replaced
  auto s = LoadOrCreateDemoSecrets(dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInternal);
  EXPECT_THAT(s.error().message, HasSubstr("cannot write " + dir.File("demo.env")));
}

}  // namespace
}  // namespace loom::config
