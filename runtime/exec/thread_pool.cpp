#include "runtime/exec/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>

#if defined(__linux__)
#include <sched.h>
#endif

namespace onnxrun {

struct ThreadPool::Job {
  const std::function<void(std::int64_t, std::int64_t)>* body = nullptr;
  std::int64_t count = 0;
  std::int64_t chunk = 1;
  std::int64_t chunks = 0;
  std::atomic<std::int64_t> next_chunk{0};
  std::atomic<std::int64_t> chunks_done{0};
  std::mutex done_mutex;
  std::condition_variable done;
};

int hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

ThreadPool::ThreadPool(int threads) : size_(std::max(1, threads)), cpus_(new std::atomic<int>[size_]) {
  for (int i = 0; i < size_; ++i) cpus_[i].store(-1);
  for (int i = 1; i < size_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

namespace {

// Long enough to bridge the gap between two kernels of a run, short enough
// that an idle pool gives its cores back almost at once.
constexpr auto kSpinTime = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

int current_cpu() {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

// Spins until done(), until give_up(), or until the spin time has passed
// since the last time extend() held; true when done().
template <class Done, class Extend, class GiveUp>
bool spin_until(Done done, Extend extend, GiveUp give_up) {
  auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (give_up()) return false;
    const auto now = std::chrono::steady_clock::now();
    if (extend()) deadline = now + kSpinTime;
    else if (now >= deadline) return false;
  }
}

}  // namespace

int ThreadPool::record_cpu(int slot) {
  const int cpu = current_cpu();
  // Written only when it changes: spinning threads read each other's slots
  // on every round, and a write would take the cache line from all of them.
  if (cpus_[slot].load(std::memory_order_relaxed) != cpu) cpus_[slot].store(cpu, std::memory_order_relaxed);
  return cpu;
}

bool ThreadPool::shares_cpu(int slot) {
  const int cpu = record_cpu(slot);
  if (cpu < 0) return false;
  for (int other = 0; other < size_; ++other)
    if (other != slot && cpus_[other].load(std::memory_order_relaxed) == cpu) return true;
  return false;
}

bool ThreadPool::spin_for_work(int worker) {
  // While a parallel_for is still running (its caller finishing the last
  // chunks), the next job is only that long away: keep spinning. Sleeping
  // there, 197 of 3621 jobs in ResNet-50's 2-thread runs found the worker
  // asleep, each after a job whose last chunk outlasted the spin.
  // On a core shared with another of the pool's threads it sleeps at once:
  // spinning there takes half the core from the thread with the work, and
  // the wake-up from sleep is when the OS can place it on an idle core.
  // After a start on its caller's core, SqueezeNet's first 2-thread runs
  // took 16 ms instead of 4.4 until the OS moved the worker, which could
  // take 5 runs.
  return spin_until([this] { return queued_.load(std::memory_order_acquire) > 0 || stopping_.load(); },
                    [this] { return in_flight_.load(std::memory_order_relaxed) > 0; },
                    [this, worker] { return shares_cpu(worker); });
}

void ThreadPool::work_on(Job& job) {
  for (;;) {
    const std::int64_t chunk = job.next_chunk.fetch_add(1);
    if (chunk >= job.chunks) return;
    const std::int64_t begin = chunk * job.chunk;
    (*job.body)(begin, std::min(job.count, begin + job.chunk));
    if (job.chunks_done.fetch_add(1) + 1 == job.chunks) {
      std::lock_guard<std::mutex> lock(job.done_mutex);
      job.done.notify_all();
    }
  }
}

void ThreadPool::worker_loop(int worker) {
  for (;;) {
    const bool seen = spin_for_work(worker);
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (seen && !stopping_ && queue_.empty()) {
        // What the spin saw is gone: the job it saw has finished and its
        // caller took it off the queue. Spin again rather than sleep: the
        // next job comes within microseconds, and waking a sleeping worker
        // costs tens. Sleeping here, SqueezeNet's 2-thread runs found the
        // worker asleep at 766 of 2193 jobs (24 without), EfficientNet-B0's
        // at 701 of 5406 (4).
        continue;
      }
      // Counted under the lock before the queue is checked, so that a job
      // pushed after this point sees a sleeper to wake (parallel_for).
      ++sleepers_;
      cpus_[worker].store(-1, std::memory_order_relaxed);
      wake_.wait(lock, [this] { return stopping_.load() || !queue_.empty(); });
      --sleepers_;
      if (stopping_) return;
      job = queue_.front();
      // Once every chunk is claimed the job needs no more hands.
      if (job->next_chunk.load() >= job->chunks) {
        queue_.pop_front();
        queued_.store(static_cast<int>(queue_.size()), std::memory_order_release);
        continue;
      }
    }
    record_cpu(worker);  // awake again (asleep it was -1), maybe on another CPU
    work_on(*job);
  }
}

void ThreadPool::parallel_for(std::int64_t count, const std::function<void(std::int64_t, std::int64_t)>& body,
                              std::int64_t grain) {
  if (count <= 0) return;
  grain = std::max<std::int64_t>(1, grain);
  if (size_ == 1 || count <= grain) {
    body(0, count);
    return;
  }
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  struct InFlight {
    std::atomic<int>& count;
    ~InFlight() { count.fetch_sub(1, std::memory_order_relaxed); }
  } in_flight{in_flight_};
  // A few chunks per thread balance uneven work without much scheduling cost.
  // At least that many: rounding the chunk up instead, 10 tasks on 2
  // threads went as 5 chunks of 2, 3:2 between the threads.
  const std::int64_t target_chunks = std::int64_t{size_} * 4;
  auto job = std::make_shared<Job>();
  job->body = &body;
  job->count = count;
  job->chunk = std::max(grain, count / target_chunks);
  job->chunks = (count + job->chunk - 1) / job->chunk;
  record_cpu(0);
  bool sleeping = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(job);
    queued_.store(static_cast<int>(queue_.size()), std::memory_order_release);
    sleeping = sleepers_ > 0;
  }
  if (sleeping) wake_.notify_all();  // spinning workers need no system call
  work_on(*job);
  const auto finished = [&] { return job->chunks_done.load() == job->chunks; };
  // The caller waits for the workers' last chunks; a worker on the caller's
  // own core can only finish them once the caller stops spinning.
  if (!spin_until(finished, [] { return false; }, [this] { return shares_cpu(0); })) {
    std::unique_lock<std::mutex> lock(job->done_mutex);
    job->done.wait(lock, finished);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = std::find(queue_.begin(), queue_.end(), job);
  if (it != queue_.end()) queue_.erase(it);
  queued_.store(static_cast<int>(queue_.size()), std::memory_order_release);
}

}  // namespace onnxrun
