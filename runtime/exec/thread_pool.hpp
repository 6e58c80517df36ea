#pragma once
// A fixed pool of worker threads for splitting one kernel's work. The calling
// thread always takes part, so a pool of size 1 has no workers at all and runs
// everything inline. Several threads may call parallel_for at once (concurrent
// Session::run calls share one pool); their jobs interleave on the workers.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace onnxrun {

class ThreadPool {
 public:
  // threads: total threads working on a job, caller included (>= 1).
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }

  // Calls body(begin, end) over disjoint ranges covering [0, count), from the
  // caller and the workers, and returns when all are done. `grain` is the
  // smallest range worth handing out.
  void parallel_for(std::int64_t count, const std::function<void(std::int64_t, std::int64_t)>& body,
                    std::int64_t grain = 1);

 private:
  struct Job;
  void worker_loop(int worker);
  static void work_on(Job& job);
  // Spins for a short while until a job is queued or the pool stops: during
  // a run the kernels come microseconds apart, and waking a sleeping thread
  // costs tens of microseconds each time (a third of a 7x7 layer's time).
  // Returns whether it saw work (or the pool stopping) before the time ran out.
  bool spin_for_work(int worker);
  // Records the CPU thread `slot` runs on (0: a caller of parallel_for,
  // i: worker i) and returns it (-1 where unknown).
  int record_cpu(int slot);
  // record_cpu, then whether another of the pool's awake threads was last
  // seen on the same CPU. Two spinning threads on one core halve the speed
  // of whichever does the work: the spinning one then sleeps instead.
  bool shares_cpu(int slot);

  int size_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;  // guarded by mutex_
  int sleepers_ = 0;                        // workers blocked on wake_, guarded by mutex_
  std::atomic<int> queued_{0};              // queue_.size(), for spinning without the lock
  std::atomic<int> in_flight_{0};           // parallel_for calls on the pool not yet returned
  std::atomic<bool> stopping_{false};
  // The CPU each thread last ran on, -1 when unknown or asleep; [0] the
  // latest caller of parallel_for, [i] worker i.
  std::unique_ptr<std::atomic<int>[]> cpus_;
};

// Hardware threads, at least 1.
int hardware_threads();

// body(begin, end) over [0, count): on `pool` when there is one, else on the
// calling thread in one call (a convolution's run arguments may carry no pool).
template <class Body>
void parallel_for_or_inline(ThreadPool* pool, std::int64_t count, const Body& body, std::int64_t grain = 1) {
  if (pool)
    pool->parallel_for(count, body, grain);
  else
    body(0, count);
}

}  // namespace onnxrun
