#include "common/job_thread.h"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

namespace loom {
namespace {

TEST(JobThreadTest, RunsJobsInOrderOffTheCallersThread) {
  std::vector<int> order;
  std::promise<std::thread::id> ran_on;
  {
    JobThread jobs;
    for (int i = 0; i < 3; ++i) jobs.Post([&order, i] { order.push_back(i); });
    jobs.Post([&ran_on] { ran_on.set_value(std::this_thread::get_id()); });
    EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(JobThreadTest, TheDestructorRunsWhatWasPostedBeforeItReturns) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::vector<std::string> done;
  std::thread destroyer;
  {
    auto jobs = std::make_unique<JobThread>();
    jobs->Post([&] {
      started.set_value();
      released.wait();  // still running when the destructor is called
      done.push_back("first");
    });
    jobs->Post([&] { done.push_back("second"); });
    started.get_future().wait();
    destroyer = std::thread([&jobs] { jobs.reset(); });
    release.set_value();
    destroyer.join();
  }
  EXPECT_EQ(done, (std::vector<std::string>{"first", "second"}));
}

}  // namespace
}  // namespace loom
