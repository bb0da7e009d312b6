#include "config/yaml_walker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace loom::config {
namespace {

using ::testing::ElementsAre;

// A walker over `text` (file name "f.yaml") whose top-level mapping may hold `allowed` keys.
class WalkerTest : public ::testing::Test {
 protected:
  Entries Load(const std::string& text, std::initializer_list<std::string_view> allowed) {
    YAML::Node root;
    EXPECT_TRUE(w_.Load(text, &root));
    auto m = w_.Mapping(root, "", allowed);
    EXPECT_TRUE(m.has_value());
    return m ? *m : Entries{};
  }
  // The messages reported so far, one per problem; clears them.
  std::vector<std::string> Problems() {
    if (w_.ok()) return {};
    std::vector<std::string> out;
    for (const FieldError& f : w_.TakeError().fields) out.push_back(f.detail);
    return out;
  }

  std::map<std::string, std::string> vars_;
  EnvLookup env_ = [this](const char* name) -> const char* {
    auto it = vars_.find(name);
    return it == vars_.end() ? nullptr : it->second.c_str();
  };
  YamlWalker w_{"f.yaml", env_};
};

TEST_F(WalkerTest, PathsJoinKeysWithDotsAndIndexListsFromZero) {
  EXPECT_EQ(Join("", "server"), "server");
  EXPECT_EQ(Join("server", "listen"), "server.listen");
  EXPECT_EQ(Index("services", 2), "services[2]");
  EXPECT_EQ(Join(Index("services", 0), "id"), "services[0].id");
}

TEST_F(WalkerTest, EnvNamesAreShellVariableNames) {
  EXPECT_TRUE(IsEnvName("LOOM_KEY_1"));
  EXPECT_TRUE(IsEnvName("_x"));
  EXPECT_FALSE(IsEnvName(""));
  EXPECT_FALSE(IsEnvName("1KEY"));
  EXPECT_FALSE(IsEnvName("not-a-name"));
}

TEST_F(WalkerTest, MappingReportsUnknownDuplicateAndNonWordKeysWithTheirLines) {
  YAML::Node root;
  ASSERT_TRUE(w_.Load("a: 1\nzz: 2\na: 3\n[x]: 4\nreserved: 5\n", &root));
  constexpr std::string_view kReserved[] = {"reserved"};
  auto m = w_.Mapping(root, "top", {"a", "b"}, kReserved);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->size(), 2u);  // a (the first) and reserved
  EXPECT_EQ(Find(*m, "a")->value.Scalar(), "1");
  EXPECT_EQ(LineOf(Find(*m, "reserved")->key), 5);
  EXPECT_EQ(Find(*m, "b"), nullptr);
  EXPECT_THAT(Problems(), ElementsAre("f.yaml:2: top.zz: unknown key (expected one of: a, b)",
                                      "f.yaml:3: top.a: duplicate key (first set at line 1)",
                                      "f.yaml:4: top: keys must be plain words"));
}

TEST_F(WalkerTest, MappingTakesNullAsEmptyAndRefusesOtherKinds) {
  YAML::Node root;
  ASSERT_TRUE(w_.Load("x:\ny: [1]\n", &root));
  auto top = w_.Mapping(root, "", {"x", "y"});
  ASSERT_TRUE(top.has_value());
  auto x = w_.Mapping(Find(*top, "x")->value, "x", {"k"});
  ASSERT_TRUE(x.has_value());
  EXPECT_TRUE(x->empty());
  EXPECT_FALSE(w_.Mapping(Find(*top, "y")->value, "y", {"k"}).has_value());
  EXPECT_THAT(Problems(), ElementsAre("f.yaml:2: y: must be a mapping (key: value lines)"));
}

TEST_F(WalkerTest, ScalarReadersLeaveAbsentValuesAndReportWrongOnes) {
  Entries m = Load("s: text\nn: 42\nbig: 300\nb: yes\nnull_s:\nlist: [1]\nbad_b: maybe\n",
                   {"s", "n", "big", "b", "null_s", "list", "bad_b"});
  std::string s = "unchanged";
  EXPECT_FALSE(w_.String(Find(m, "missing"), "missing", &s));
  EXPECT_FALSE(w_.String(Find(m, "null_s"), "null_s", &s));
  EXPECT_EQ(s, "unchanged");
  EXPECT_TRUE(w_.String(Find(m, "s"), "s", &s));
  EXPECT_EQ(s, "text");
  EXPECT_FALSE(w_.String(Find(m, "list"), "list", &s));

  int64_t n = 0;
  EXPECT_TRUE(w_.Int(Find(m, "n"), "n", int64_t{0}, int64_t{100}, &n));
  EXPECT_EQ(n, 42);
  int small = 7;
  EXPECT_FALSE(w_.Int(Find(m, "big"), "big", 0, 256, &small));
  EXPECT_EQ(small, 7);
  EXPECT_FALSE(w_.Int(Find(m, "s"), "s", 0, 1, &small));

  bool b = false;
  EXPECT_TRUE(w_.Bool(Find(m, "b"), "b", &b));
  EXPECT_TRUE(b);
  EXPECT_FALSE(w_.Bool(Find(m, "bad_b"), "bad_b", &b));
  EXPECT_THAT(Problems(), ElementsAre("f.yaml:6: list: must be a string",
                                      "f.yaml:3: big: must be an integer from 0 to 256",
                                      "f.yaml:1: s: must be an integer from 0 to 1",
                                      "f.yaml:7: bad_b: must be true or false"));
}

TEST_F(WalkerTest, DurationsAllowZeroOnlyWhenAsked) {
  Entries m = Load("d: 1h30m\nzero: 0s\nbad: soon\n", {"d", "zero", "bad"});
  Duration d{};
  EXPECT_TRUE(w_.DurationValue(Find(m, "d"), "d", false, &d));
  EXPECT_EQ(d, std::chrono::minutes(90));
  EXPECT_TRUE(w_.DurationValue(Find(m, "zero"), "zero", true, &d));
  EXPECT_EQ(d, Duration::zero());
  EXPECT_FALSE(w_.DurationValue(Find(m, "zero"), "zero", false, &d));
  EXPECT_FALSE(w_.DurationValue(Find(m, "bad"), "bad", true, &d));
  std::vector<std::string> problems = Problems();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "f.yaml:2: zero: must be longer than 0");
  EXPECT_THAT(problems[1], ::testing::StartsWith("f.yaml:3: bad: bad duration 'soon'"));
  EXPECT_THAT(problems[1], ::testing::EndsWith("(e.g. 30s, 5m, 1h30m)"));
}

TEST_F(WalkerTest, RequiredStringNamesTheKeyOrTheMappingWhenMissing) {
  YAML::Node root;
  ASSERT_TRUE(w_.Load("item:\n  empty: \"\"\n  set: x\n", &root));
  auto top = w_.Mapping(root, "", {"item"});
  const Entry* item = Find(*top, "item");
  auto m = w_.Mapping(item->value, "item", {"empty", "set", "gone"});
  std::string out;
  EXPECT_TRUE(w_.RequiredString(*m, item->value, "item", "set", &out));
  EXPECT_EQ(out, "x");
  EXPECT_FALSE(w_.RequiredString(*m, item->value, "item", "empty", &out));
  EXPECT_FALSE(w_.RequiredString(*m, item->value, "item", "gone", &out));
  EXPECT_THAT(Problems(),
              ElementsAre("f.yaml:2: item.empty: is required", "f.yaml:2: item.gone: is required"));
}

TEST_F(WalkerTest, CheckedStringReportsTheChecksMessage) {
  Entries m = Load("a: good\nb: bad\n", {"a", "b"});
  auto check = [](const std::string& s) -> Status {
    if (s == "good") return OkStatus();
    return Error::Invalid("'" + s + "' is not good");
  };
  std::string out;
  EXPECT_TRUE(w_.CheckedString(Find(m, "a"), "a", &out, check));
  EXPECT_EQ(out, "good");
  EXPECT_FALSE(w_.CheckedString(Find(m, "b"), "b", &out, check));
  EXPECT_EQ(out, "good");
  EXPECT_THAT(Problems(), ElementsAre("f.yaml:2: b: 'bad' is not good"));
}

TEST_F(WalkerTest, EnvValueNamesTheVariableNeverItsValue) {
  vars_ = {{"SET", "secret-value"}, {"EMPTY", ""}};
  Entries m = Load("ok: SET\nempty: EMPTY\nunset: UNSET\nbad: not-a-name\nnone:\n",
                   {"ok", "empty", "unset", "bad", "none"});
  std::string name, value;
  EXPECT_FALSE(w_.EnvValue(Find(m, "missing"), "missing", &name, &value));
  EXPECT_TRUE(w_.EnvValue(Find(m, "ok"), "ok", &name, &value));
  EXPECT_EQ(name, "SET");
  EXPECT_EQ(value, "secret-value");
  EXPECT_FALSE(w_.EnvValue(Find(m, "empty"), "empty", &name, &value));
  EXPECT_FALSE(w_.EnvValue(Find(m, "unset"), "unset", &name, &value));
  EXPECT_FALSE(w_.EnvValue(Find(m, "bad"), "bad", &name, &value));
  EXPECT_FALSE(w_.EnvValue(Find(m, "none"), "none", &name, &value));
  EXPECT_THAT(Problems(),
              ElementsAre("f.yaml:2: empty: environment variable EMPTY is not set",
                          "f.yaml:3: unset: environment variable UNSET is not set",
                          "f.yaml:4: bad: 'not-a-name' is not an environment variable name",
                          "f.yaml:5: none: names no variable"));
}

TEST_F(WalkerTest, IdsAreUniqueAndValid) {
  Entries m = Load("a: x\nb: x\nc: X\n", {"a", "b", "c"});
  std::map<std::string, int> seen;
  EXPECT_TRUE(w_.UniqueId(&seen, "x", Find(m, "a")->value, "a", "thing"));
  EXPECT_FALSE(w_.UniqueId(&seen, "x", Find(m, "b")->value, "b", "thing"));
  EXPECT_FALSE(
      w_.ValidUniqueId(&seen, "X", false, "lower case", Find(m, "c")->value, "c", "thing"));
  EXPECT_EQ(seen, (std::map<std::string, int>{{"x", 1}}));
  EXPECT_THAT(Problems(), ElementsAre("f.yaml:2: b: duplicate thing id 'x' (first at line 1)",
                                      "f.yaml:3: c: 'X' is not a valid thing id (lower case)"));
}

TEST_F(WalkerTest, ListsGiveEachItemItsPath) {
  Entries m = Load("l: [a, b]\nnot_list: x\nnull_list:\n", {"l", "not_list", "null_list"});
  std::vector<std::string> items;
  w_.ParseItems(*Find(m, "l"), "l", "letters", &items,
                [](const YAML::Node& node, const std::string& path, std::string* out) {
                  *out = path + "=" + node.Scalar();
                });
  EXPECT_THAT(items, ElementsAre("l[0]=a", "l[1]=b"));
  w_.ParseItems(*Find(m, "not_list"), "not_list", "letters", &items,
                [](const YAML::Node&, const std::string&, std::string*) {});
  w_.ParseItems(*Find(m, "null_list"), "null_list", "letters", &items,
                [](const YAML::Node&, const std::string&, std::string*) {});
  EXPECT_EQ(items.size(), 2u);
  EXPECT_THAT(Problems(), ElementsAre("f.yaml:2: not_list: must be a list of letters"));
}

TEST_F(WalkerTest, InvalidYamlIsOneProblemWithItsLine) {
  YAML::Node root;
  EXPECT_FALSE(w_.Load("a: 1\n\tb: 2\n", &root));
  Error e = w_.TakeError();
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, ::testing::StartsWith("f.yaml:2: invalid YAML: "));
  ASSERT_EQ(e.fields.size(), 1u);
  EXPECT_EQ(e.fields[0].pointer, "");
}

TEST_F(WalkerTest, TheErrorHasOneLinePerProblemAndAFieldEach) {
  EXPECT_TRUE(w_.ok());
  w_.Report(3, "a.b", "first");
  w_.Report(0, "ENV_VAR", "second");
  w_.Report(0, "", "third");
  EXPECT_FALSE(w_.ok());
  Error e = w_.TakeError();
  EXPECT_EQ(e.message, "f.yaml:3: a.b: first\nf.yaml: ENV_VAR: second\nf.yaml: third");
  ASSERT_EQ(e.fields.size(), 3u);
  EXPECT_EQ(e.fields[0].pointer, "a.b");
  EXPECT_EQ(e.fields[0].detail, "f.yaml:3: a.b: first");
  EXPECT_TRUE(w_.ok());  // taken
}

TEST_F(WalkerTest, ConfigSourceNamesFileAndLine) {
  Entries m = Load("\n\nk: v\n", {"k"});
  EXPECT_EQ(w_.ConfigSource(Find(m, "k")->value), "config f.yaml:3");
}

}  // namespace
}  // namespace loom::config
