#include "runtime/exec/thread_pool.hpp"

#include <algorithm>
#include <atomic>

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

ThreadPool::ThreadPool(int threads) : size_(std::max(1, threads)) {
  for (int i = 1; i < size_; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
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

void ThreadPool::worker_loop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      // Once every chunk is claimed the job needs no more hands.
      if (job->next_chunk.load() >= job->chunks) {
        queue_.pop_front();
        continue;
      }
    }
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
  // A few chunks per thread balance uneven work without much scheduling cost.
  const std::int64_t target_chunks = std::int64_t{size_} * 4;
  auto job = std::make_shared<Job>();
  job->body = &body;
  job->count = count;
  job->chunk = std::max(grain, (count + target_chunks - 1) / target_chunks);
  job->chunks = (count + job->chunk - 1) / job->chunk;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(job);
  }
  wake_.notify_all();
  work_on(*job);
  {
    std::unique_lock<std::mutex> lock(job->done_mutex);
    job->done.wait(lock, [&] { return job->chunks_done.load() == job->chunks; });
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = std::find(queue_.begin(), queue_.end(), job);
  if (it != queue_.end()) queue_.erase(it);
}

}  // namespace onnxrun
