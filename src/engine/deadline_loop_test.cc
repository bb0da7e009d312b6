#include "engine/deadline_loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/fake_clock.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using testing::FakeClock;

// Generous: only a broken loop waits this long (the waits end on an event, never a sleep).
constexpr auto kNoLongerThan = std::chrono::seconds(30);

class DeadlineLoopTest : public ::testing::Test {
 protected:
  // A timer that records its name when it runs and answers nothing.
  DeadlineLoop::TimerId Recording(const std::string& name) {
    return loop_.Add([this, name]() -> std::optional<SteadyTime> {
      std::lock_guard<std::mutex> lock(mu_);
      ran_.push_back(name);
      return std::nullopt;
    });
  }
  std::vector<std::string> Ran() {
    std::lock_guard<std::mutex> lock(mu_);
    return ran_;
  }

  FakeClock clock_;
  DeadlineLoop loop_{clock_};
  std::mutex mu_;
  std::vector<std::string> ran_;
};

TEST_F(DeadlineLoopTest, RunsWhatIsDueEarliestFirstAndTiesInScheduleOrder) {
  const SteadyTime now = clock_.Steady();
  DeadlineLoop::TimerId late = Recording("late");
  DeadlineLoop::TimerId early = Recording("early");
  DeadlineLoop::TimerId tie_first = Recording("tie first");
  DeadlineLoop::TimerId tie_second = Recording("tie second");
  DeadlineLoop::TimerId future = Recording("future");
  loop_.Schedule(late, now + seconds(30));
  loop_.Schedule(tie_first, now + seconds(20));
  loop_.Schedule(early, now + seconds(10));
  loop_.Schedule(tie_second, now + seconds(20));
  loop_.Schedule(future, now + minutes(5));

  EXPECT_EQ(loop_.RunDue(), 0u);
  clock_.Advance(seconds(30));
  EXPECT_EQ(loop_.RunDue(), 4u);
  EXPECT_THAT(Ran(), ElementsAre("early", "tie first", "tie second", "late"));
  EXPECT_EQ(loop_.Deadline(late), std::nullopt) << "a timer runs once per schedule";
  EXPECT_EQ(loop_.Deadline(future), now + minutes(5));
}

TEST_F(DeadlineLoopTest, ASecondScheduleReplacesTheFirstAndCancelUnschedules) {
  const SteadyTime now = clock_.Steady();
  DeadlineLoop::TimerId later = Recording("moved later");
  DeadlineLoop::TimerId earlier = Recording("moved earlier");
  DeadlineLoop::TimerId cancelled = Recording("cancelled");
  loop_.Schedule(later, now + seconds(10));
  loop_.Schedule(later, now + minutes(10));
  loop_.Schedule(earlier, now + minutes(10));
  loop_.Schedule(earlier, now + seconds(10));
  loop_.Schedule(cancelled, now + seconds(10));
  loop_.Cancel(cancelled);

  clock_.Advance(seconds(10));
  EXPECT_EQ(loop_.RunDue(), 1u);
  EXPECT_THAT(Ran(), ElementsAre("moved earlier"));
  EXPECT_EQ(loop_.Deadline(cancelled), std::nullopt);
  clock_.Advance(minutes(10));
  EXPECT_EQ(loop_.RunDue(), 1u);
  EXPECT_THAT(Ran(), ElementsAre("moved earlier", "moved later"));

  loop_.Schedule(later, clock_.Steady());
  loop_.Remove(later);
  loop_.Schedule(later, clock_.Steady());  // unknown now: ignored
  EXPECT_EQ(loop_.RunDue(), 0u);
}

// The callback's answer is its next deadline; a Schedule made while it runs wins when earlier.
TEST_F(DeadlineLoopTest, ACallbackAnswersItsNextDeadlineAndAnEarlierScheduleMadeMeanwhileWins) {
  DeadlineLoop::TimerId id = 0;
  int runs = 0;
  id = loop_.Add([&]() -> std::optional<SteadyTime> {
    ++runs;
    if (runs == 2) loop_.Schedule(id, clock_.Steady() + seconds(5));  // earlier than the answer
    if (runs == 3) loop_.Schedule(id, clock_.Steady() + hours(1));    // later than the answer
    return clock_.Steady() + minutes(1);
  });
  loop_.Wake(id);
  EXPECT_EQ(loop_.RunDue(), 1u);
  EXPECT_EQ(loop_.Deadline(id), clock_.Steady() + minutes(1));
  clock_.Advance(minutes(1));
  EXPECT_EQ(loop_.RunDue(), 1u);
  EXPECT_EQ(loop_.Deadline(id), clock_.Steady() + seconds(5));
  clock_.Advance(seconds(5));
  EXPECT_EQ(loop_.RunDue(), 1u);
  EXPECT_EQ(loop_.Deadline(id), clock_.Steady() + minutes(1));

  // A Cancel while it runs drops its answer too.
  clock_.Advance(minutes(1));
  DeadlineLoop::TimerId cancels_itself = 0;
  cancels_itself = loop_.Add([&]() -> std::optional<SteadyTime> {
    loop_.Cancel(cancels_itself);
    return clock_.Steady();
  });
  loop_.Wake(cancels_itself);
  EXPECT_EQ(loop_.RunDue(), 2u);  // `id` and `cancels_itself`, once
  EXPECT_EQ(loop_.Deadline(cancels_itself), std::nullopt);
}

// Deadlines are steady: a wall-clock step moves none of them; a wall due time is converted once.
TEST_F(DeadlineLoopTest, AWallClockStepMovesNoDeadline) {
  DeadlineLoop::TimerId escalation = Recording("escalation");
  loop_.Schedule(escalation, SteadyDeadline(clock_, clock_.Now() + minutes(5)));

  clock_.StepWall(hours(1));  // the system clock jumps forward
  EXPECT_EQ(loop_.RunDue(), 0u);
  clock_.StepWall(-hours(2));  // and back, behind where it was
  clock_.Advance(minutes(5));
  EXPECT_EQ(loop_.RunDue(), 1u);
  EXPECT_THAT(Ran(), ElementsAre("escalation"));
}

TEST_F(DeadlineLoopTest, TheThreadWakesForAnEntryEarlierThanTheOneItWaitsFor) {
  std::promise<void> ran;
  DeadlineLoop::TimerId far = Recording("far");
  DeadlineLoop::TimerId soon = loop_.Add([&]() -> std::optional<SteadyTime> {
    ran.set_value();
    return std::nullopt;
  });
  loop_.Schedule(far, clock_.Steady() + hours(1));
  loop_.Start();
  // The thread now waits an hour for `far`; an entry due now must not wait behind it.
  loop_.Schedule(soon, clock_.Steady());
  EXPECT_EQ(ran.get_future().wait_for(kNoLongerThan), std::future_status::ready);
  loop_.Stop();
  EXPECT_TRUE(Ran().empty());
}

TEST_F(DeadlineLoopTest, TheThreadRunsWhatAMovedClockMadeDueOnRecheck) {
  std::promise<void> ran;
  DeadlineLoop::TimerId id = loop_.Add([&]() -> std::optional<SteadyTime> {
    ran.set_value();
    return std::nullopt;
  });
  loop_.Schedule(id, clock_.Steady() + hours(1));
  loop_.Start();
  clock_.Advance(hours(1));
  loop_.Recheck();
  EXPECT_EQ(ran.get_future().wait_for(kNoLongerThan), std::future_status::ready);
}

// Stop returns with an hour-long wait pending, and after the running callback returned; the
// timers stay for a later run.
TEST_F(DeadlineLoopTest, StopEndsTheWaitAndWaitsForTheRunningCallback) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> returned{false};
  DeadlineLoop::TimerId slow = loop_.Add([&]() -> std::optional<SteadyTime> {
    entered.set_value();
    released.wait();
    returned = true;
    return std::nullopt;
  });
  DeadlineLoop::TimerId far = Recording("far");
  loop_.Schedule(far, clock_.Steady() + hours(1));
  loop_.Start();
  loop_.Wake(slow);
  entered.get_future().wait();
  std::thread stopper([&] { loop_.Stop(); });
  release.set_value();
  stopper.join();
  EXPECT_TRUE(returned);
  EXPECT_TRUE(Ran().empty());
  EXPECT_EQ(loop_.Deadline(far), clock_.Steady() + hours(1));
}

// A LoopTimer runs while attached; Detach waits for a running callback and keeps it from running
// again.
TEST_F(DeadlineLoopTest, ALoopTimerRunsFromAttachUntilDetach) {
  int runs = 0;
  LoopTimer timer([&]() -> std::optional<SteadyTime> {
    ++runs;
    return clock_.Steady() + seconds(1);
  });
  timer.Wake();  // detached: nothing
  EXPECT_EQ(loop_.RunDue(), 0u);
  timer.Attach(loop_);  // due at once
  EXPECT_EQ(loop_.RunDue(), 1u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(loop_.RunDue(), 1u);
  timer.Schedule(clock_.Steady() + minutes(1));
  clock_.Advance(seconds(1));
  EXPECT_EQ(loop_.RunDue(), 0u) << "the schedule replaced the answer's deadline";
  timer.Detach();
  clock_.Advance(minutes(1));
  timer.Wake();
  EXPECT_EQ(loop_.RunDue(), 0u);
  EXPECT_EQ(runs, 2);
}

}  // namespace
}  // namespace loom
