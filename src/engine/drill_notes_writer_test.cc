#include "engine/drill_notes_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "testing/temp_dir.h"

namespace loom {
namespace {

using ::testing::HasSubstr;

Incident Drill(int64_t number) {
  Incident d;
  d.number = number;
  d.drill = true;
  d.title = "sev1 availability tabletop drill";
  d.created_at = TimePoint(std::chrono::sys_days{std::chrono::year{2026} / 11 / 27});
  return d;
}

std::string NotesOf(const Incident& drill, const std::string& body) {
  return "# LOOM Drill\n\n- Incident: " + drill.id() + " (drill)\n\n" + body + "\n";
}

std::filesystem::path Files(const std::string& dir, int* count) {
  *count = 0;
  std::filesystem::path last;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++*count;
    last = entry.path();
  }
  return last;
}

TEST(FileDrillNotesWriterTest, WritesUnderTheDrillsDateAndSlugCreatingTheFolder) {
  testing::TempDir tmp;
  const std::string dir = tmp.File("ops/drills");
  FileDrillNotesWriter writer(dir);
  const Incident drill = Drill(7);
  Result<std::string> path = writer.Write(drill, NotesOf(drill, "first"));
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_EQ(*path, dir + "/2026-11-27-sev1-availability-tabletop-drill.md");
  EXPECT_EQ(testing::ReadFileOrDie(*path), NotesOf(drill, "first"));
  int count = 0;
  Files(dir, &count);
  EXPECT_EQ(count, 1);  // no temporary file left behind
}

TEST(FileDrillNotesWriterTest, WritingTheSameDrillAgainReplacesItsNotesInPlace) {
  testing::TempDir tmp;
  FileDrillNotesWriter writer(tmp.path());
  const Incident drill = Drill(7);
  Result<std::string> first = writer.Write(drill, NotesOf(drill, "first"));
  Result<std::string> again = writer.Write(drill, NotesOf(drill, "again"));
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(testing::ReadFileOrDie(*again), NotesOf(drill, "again"));
}

TEST(FileDrillNotesWriterTest, AnotherDrillOfTheSameDayAndTitleGetsItsIdInTheName) {
  testing::TempDir tmp;
  FileDrillNotesWriter writer(tmp.path());
  const Incident seven = Drill(7);
  const Incident nine = Drill(9);
  Result<std::string> first = writer.Write(seven, NotesOf(seven, "seven"));
  Result<std::string> second = writer.Write(nine, NotesOf(nine, "nine"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*second, tmp.path() + "/2026-11-27-sev1-availability-tabletop-drill-INC-9.md");
  EXPECT_EQ(testing::ReadFileOrDie(*first), NotesOf(seven, "seven"));
  EXPECT_EQ(testing::ReadFileOrDie(*second), NotesOf(nine, "nine"));
  // And again: the same place for each.
  Result<std::string> nine_again = writer.Write(nine, NotesOf(nine, "nine again"));
  ASSERT_TRUE(nine_again.ok());
  EXPECT_EQ(*nine_again, *second);
}

TEST(FileDrillNotesWriterTest, AFolderThatCannotBeWrittenIsAnInternalErrorNamingTheFile) {
  testing::TempDir tmp;
  const std::string blocker = tmp.File("not-a-folder");
  std::ofstream(blocker) << "a file where the folder should be";
  FileDrillNotesWriter writer(blocker);
  Result<std::string> path = writer.Write(Drill(7), "notes");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code, ErrorCode::kInternal);
  EXPECT_THAT(path.error().message, HasSubstr("cannot write the drill notes to " + blocker +
                                              "/2026-11-27-sev1-availability-tabletop-drill.md"));
}

}  // namespace
}  // namespace loom
