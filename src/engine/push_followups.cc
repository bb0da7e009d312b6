#include "engine/push_followups.h"

#include <spdlog/spdlog.h>

#include <future>
#include <random>

#include "core/incident.h"

namespace loom {
namespace {

double DefaultJitter() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.5, 1.5)(rng);
}

// The pages of one message: a Pushover receipt, a Telegram message (or, before its id was
// known, the page's own short id).
std::string MessageKey(const PushPage& page) {
  if (!page.message_id.empty()) return page.channel + "\n" + page.address + "\n" + page.message_id;
  return page.channel + "\n\n" + page.ref;
}

template <typename T>
Result<T> Await(const std::function<void(Callback<T>)>& write) {
  std::promise<Result<T>> promise;
  std::future<Result<T>> done = promise.get_future();
  write([&promise](Result<T> r) { promise.set_value(std::move(r)); });
  return done.get();
}

}  // namespace

Status StorePageLog::Remember(std::vector<PushPage> pages) {
  if (pages.empty()) return OkStatus();
  Result<int64_t> r = Await<int64_t>(
      [&](Callback<int64_t> done) { store_.RememberPushPages(std::move(pages), std::move(done)); });
  if (!r.ok()) return std::move(r).error();
  return OkStatus();
}

PushFollowUps::PushFollowUps(PushStore& store, const Clock& clock,
                             std::map<std::string, std::shared_ptr<PushSettler>> settlers,
                             Options options)
    : store_(store), clock_(clock), settlers_(std::move(settlers)), options_(std::move(options)) {
  if (!options_.jitter) options_.jitter = DefaultJitter;
}

PushFollowUps::~PushFollowUps() { Stop(); }

size_t PushFollowUps::RunOnce() {
  const TimePoint now = clock_.Now();
  Result<std::vector<PushPageToSettle>> due = store_.PushPagesToSettle(now, options_.batch);
  if (!due.ok()) {
    spdlog::warn("push pages: cannot read the pages to settle: {}", due.error().message);
    return 0;
  }
  std::map<std::string, std::vector<PushPageToSettle>> messages;
  for (PushPageToSettle& p : *due) messages[MessageKey(p.page)].push_back(std::move(p));
  std::vector<PushSettleRecord> records;
  for (const auto& [key, pages] : messages) {
    const PushPage& first = pages.front().page;
    SendResult result;
    auto settler = settlers_.find(first.channel);
    if (settler == settlers_.end()) {
      result.outcome = SendResult::Outcome::kRejected;
      result.error = "no " + first.channel + " channel configured";
    } else {
      result = settler->second->Settle(pages);
    }
    const int attempts = first.attempts + 1;
    const bool retry =
        result.outcome == SendResult::Outcome::kRetry && attempts < options_.retry.max_attempts;
    std::optional<TimePoint> next;
    if (retry) {
      Duration wait = Backoff(options_.retry, attempts, options_.jitter());
      if (result.retry_after && *result.retry_after > wait) wait = *result.retry_after;
      next = now + wait;
    }
    if (result.outcome != SendResult::Outcome::kDelivered) {
      spdlog::warn("push pages: settling a {} page of {}: {}{}", first.channel,
                   IncidentId(first.incident_number), result.error,
                   retry ? " (tried again later)" : " (given up)");
    }
    for (const PushPageToSettle& p : pages) {
      records.push_back({p.page.channel, p.page.ref, p.page.incident_number, !retry, next,
                         result.outcome == SendResult::Outcome::kDelivered ? "" : result.error});
    }
  }
  if (!records.empty()) {
    Result<int64_t> r = Await<int64_t>([&](Callback<int64_t> done) {
      store_.RecordPushSettles(std::move(records), std::move(done));
    });
    if (!r.ok()) spdlog::warn("push pages: cannot record settles: {}", r.error().message);
  }
  return messages.size();
}

void PushFollowUps::Start(DeadlineLoop& loop) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { ThreadLoop(); });
  }
  timer_.Attach(loop);
}

void PushFollowUps::Stop() {
  timer_.Detach();
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

void PushFollowUps::ThreadLoop() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || due_; });
      if (stopping_) return;
      due_ = false;
    }
    RunOnce();
  }
}

}  // namespace loom
