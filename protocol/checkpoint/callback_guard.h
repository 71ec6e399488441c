// CallbackGuard: makes asynchronous completions (timers, blob-store operations) safe against
// the destruction of the object that issued them. An owner wraps every callback it hands
// out; once the owner (and with it the guard) is destroyed, wrapped callbacks do nothing.
//
// This matters for a JobManager that crashes and is rebuilt: the old coordinator object is
// destroyed while its storage operations may still complete in a real runtime.
// Single-threaded use only, like the rest of one simulation.
#pragma once

#include <memory>
#include <utility>

namespace ckptsim {

class CallbackGuard {
 public:
  CallbackGuard() = default;
  CallbackGuard(const CallbackGuard&) = delete;
  CallbackGuard& operator=(const CallbackGuard&) = delete;

  template <typename Callback>
  auto wrap(Callback callback) const {
    return [alive = std::weak_ptr<const bool>(token_), callback = std::move(callback)](auto&&... args) mutable {
      if (alive.expired()) return;
      callback(std::forward<decltype(args)>(args)...);
    };
  }

 private:
  std::shared_ptr<const bool> token_ = std::make_shared<const bool>(true);
};

}  // namespace ckptsim
