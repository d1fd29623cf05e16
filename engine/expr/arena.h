// Arena: a bump allocator for the values an evaluation computes (concatenated strings,
// lists built by map()/filter(), ...). Starts in a caller-provided buffer (on the stack
// of evaluate()), so most evaluations never touch the heap; everything is released at
// once when the arena dies. Only trivially destructible data may live here.
// Bounded: allocate() returns nullptr beyond limit_bytes, which evaluation reports as
// an error instead of growing without bound.
// Thread-safety: one arena per evaluation; not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

namespace ledgerflow::expr {

class Arena {
 public:
  static constexpr std::size_t kDefaultLimitBytes = 16 << 20;

  explicit Arena(std::span<std::byte> initial = {}, std::size_t limit_bytes = kDefaultLimitBytes)
      : cur_(initial.data()), end_(initial.data() + initial.size()), limit_bytes_(limit_bytes) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) = default;
  Arena& operator=(Arena&&) = default;

  // `align` must be a power of two no larger than alignof(std::max_align_t).
  void* allocate(std::size_t bytes, std::size_t align) {
    auto p = reinterpret_cast<std::uintptr_t>(cur_);
    const std::uintptr_t aligned = (p + align - 1) & ~(static_cast<std::uintptr_t>(align) - 1);
    if (cur_ != nullptr && aligned + bytes <= reinterpret_cast<std::uintptr_t>(end_)) {
      cur_ = reinterpret_cast<std::byte*>(aligned + bytes);
      return reinterpret_cast<void*>(aligned);
    }
    return allocate_slow(bytes);
  }

  template <typename T>
  T* allocate_array(std::size_t n) {
    static_assert(std::is_trivially_destructible_v<T>);
    if (n > limit_bytes_ / sizeof(T)) return nullptr;
    return static_cast<T*>(allocate(n * sizeof(T), alignof(T)));
  }

 private:
  void* allocate_slow(std::size_t bytes) {
    const std::size_t chunk = bytes > kChunkBytes ? bytes : kChunkBytes;
    if (heap_bytes_ + chunk > limit_bytes_) return nullptr;
    chunks_.push_back(std::make_unique_for_overwrite<std::byte[]>(chunk));
    heap_bytes_ += chunk;
    std::byte* base = chunks_.back().get();  // operator new aligns to max_align_t
    cur_ = base + bytes;
    end_ = base + chunk;
    return base;
  }

  static constexpr std::size_t kChunkBytes = 8192;
  std::byte* cur_;
  std::byte* end_;
  std::size_t limit_bytes_;
  std::size_t heap_bytes_ = 0;
  std::vector<std::unique_ptr<std::byte[]>> chunks_;
};

}  // namespace ledgerflow::expr
