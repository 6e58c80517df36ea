// Tests for the thread pool: parallel_for hands out every index exactly once
// for any count, grain and pool size; a pool of one never leaves the calling
// thread; several threads may share one pool; pools start and stop cleanly.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "runtime/exec/thread_pool.hpp"

using onnxrun::ThreadPool;

namespace {

struct Coverage {
  std::int64_t count;
  std::vector<std::atomic<int>> hits;
  std::atomic<int> bad_ranges{0};
  std::atomic<int> short_ranges{0};  // ranges smaller than the grain
  std::mutex ids_mutex;
  std::set<std::thread::id> ids;

  explicit Coverage(std::int64_t n) : count(n), hits(static_cast<std::size_t>(n)) {}

  std::function<void(std::int64_t, std::int64_t)> body(std::int64_t grain) {
    return [this, grain](std::int64_t begin, std::int64_t end) {
      if (begin < 0 || end > count || begin >= end) {
        ++bad_ranges;
        return;
      }
      if (end - begin < grain) ++short_ranges;
      for (std::int64_t i = begin; i < end; ++i) ++hits[static_cast<std::size_t>(i)];
      std::lock_guard<std::mutex> lock(ids_mutex);
      ids.insert(std::this_thread::get_id());
    };
  }

  // Indices hit other than exactly once.
  int wrong_hits() const {
    int wrong = 0;
    for (const auto& h : hits) wrong += h.load() != 1;
    return wrong;
  }
};

const std::int64_t kCounts[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 63, 64, 65, 100, 999, 1000, 1001, 4097, 100003};
const std::int64_t kGrains[] = {1, 7, 1000};

}  // namespace

TEST_CASE("thread pool: parallel_for covers [0, n) exactly once") {
  for (int size = 1; size <= 4; ++size) {
    ThreadPool pool(size);
    CHECK(pool.size() == size);
    for (std::int64_t grain : kGrains)
      for (std::int64_t count : kCounts) {
        INFO("pool size " << size << ", count " << count << ", grain " << grain);
        Coverage coverage(count);
        pool.parallel_for(count, coverage.body(grain), grain);
        CHECK(coverage.bad_ranges == 0);
        CHECK(coverage.wrong_hits() == 0);
        // Only the final range may be smaller than the grain.
        CHECK(coverage.short_ranges <= 1);
        CHECK(coverage.ids.size() <= static_cast<std::size_t>(size));
      }
  }
}

TEST_CASE("thread pool: a pool of one runs everything on the calling thread") {
  ThreadPool pool(1);
  for (std::int64_t grain : kGrains)
    for (std::int64_t count : kCounts) {
      Coverage coverage(count);
      pool.parallel_for(count, coverage.body(grain), grain);
      CHECK(coverage.wrong_hits() == 0);
      REQUIRE(coverage.ids.size() == 1);
      CHECK(*coverage.ids.begin() == std::this_thread::get_id());
    }
  // Sizes below one mean one.
  CHECK(ThreadPool(0).size() == 1);
  CHECK(ThreadPool(-3).size() == 1);
}

TEST_CASE("thread pool: the caller and the workers share the work") {
  // Slow ranges give the workers time to wake, so more than one thread joins in.
  ThreadPool pool(4);
  Coverage coverage(64);
  auto inner = coverage.body(1);
  pool.parallel_for(64, [&](std::int64_t begin, std::int64_t end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    inner(begin, end);
  });
  CHECK(coverage.wrong_hits() == 0);
  CHECK(coverage.ids.count(std::this_thread::get_id()) == 1);
  CHECK(coverage.ids.size() > 1);
  CHECK(coverage.ids.size() <= 4);
}

TEST_CASE("thread pool: zero and negative counts call nothing") {
  for (int size = 1; size <= 4; ++size) {
    ThreadPool pool(size);
    std::atomic<int> calls{0};
    pool.parallel_for(0, [&](std::int64_t, std::int64_t) { ++calls; });
    pool.parallel_for(-5, [&](std::int64_t, std::int64_t) { ++calls; }, 7);
    CHECK(calls == 0);
  }
}

TEST_CASE("thread pool: grains of zero or less are treated as one") {
  ThreadPool pool(3);
  for (std::int64_t grain : {std::int64_t{0}, std::int64_t{-4}}) {
    Coverage coverage(257);
    pool.parallel_for(257, coverage.body(1), grain);
    CHECK(coverage.bad_ranges == 0);
    CHECK(coverage.wrong_hits() == 0);
  }
}

TEST_CASE("thread pool: concurrent parallel_for calls on one pool") {
  // Concurrent Session::run calls share one pool the same way.
  for (int size = 2; size <= 4; ++size) {
    ThreadPool pool(size);
    constexpr int kCallers = 4;
    constexpr int kRounds = 150;
    std::atomic<int> failures{0};
    std::vector<std::thread> callers;
    for (int c = 0; c < kCallers; ++c)
      callers.emplace_back([&, c] {
        for (int round = 0; round < kRounds; ++round) {
          const std::int64_t count = 1 + (round * 37 + c * 101) % 3000;
          const std::int64_t grain = kGrains[(round + c) % 3];
          Coverage coverage(count);
          pool.parallel_for(count, coverage.body(grain), grain);
          if (coverage.bad_ranges != 0 || coverage.wrong_hits() != 0) ++failures;
        }
      });
    for (std::thread& caller : callers) caller.join();
    INFO("pool size " << size);
    CHECK(failures == 0);
  }
}

TEST_CASE("thread pool: a body may call parallel_for on the same pool") {
  // An op's kernel may split work that is itself inside a split; the inner
  // caller works on its own job, so this must not deadlock.
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(40 * 50);
  pool.parallel_for(40, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t row = begin; row < end; ++row)
      pool.parallel_for(50, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t col = b; col < e; ++col) ++hits[static_cast<std::size_t>(row * 50 + col)];
      });
  });
  int wrong = 0;
  for (const auto& h : hits) wrong += h.load() != 1;
  CHECK(wrong == 0);
}

TEST_CASE("thread pool: destruction with idle workers") {
  for (int round = 0; round < 50; ++round) {
    // Destroyed before the workers may even have started waiting.
    ThreadPool fresh(1 + round % 4);
  }
  for (int size = 2; size <= 4; ++size) {
    ThreadPool pool(size);
    Coverage coverage(1000);
    pool.parallel_for(1000, coverage.body(1));
    CHECK(coverage.wrong_hits() == 0);
    // Let every worker go back to sleep before the destructor wakes them.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(onnxrun::hardware_threads() >= 1);
}

TEST_CASE("thread pool: more threads than cores share them and finish every job") {
  // Threads that find another of the pool's threads on their core stop
  // spinning and sleep; every chunk must still run exactly once.
  const int size = 2 * onnxrun::hardware_threads() + 2;
  ThreadPool pool(size);
  for (int job = 0; job < 300; ++job) {
    const std::int64_t count = 1 + job % 97 * 13;
    Coverage coverage(count);
    auto body = coverage.body(1);
    pool.parallel_for(count, [&](std::int64_t begin, std::int64_t end) {
      // Work long enough that the threads overlap on the cores.
      volatile std::int64_t sink = 0;
      for (std::int64_t i = 0; i < 2000 * (end - begin); ++i) sink = sink + i;
      body(begin, end);
    });
    INFO("job " << job << ", count " << count);
    CHECK(coverage.bad_ranges == 0);
    CHECK(coverage.wrong_hits() == 0);
  }
}
