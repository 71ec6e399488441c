#include "scenarios/scenario.h"

#include <charconv>

namespace ckptsim::scenarios {

std::string task_manager_process(std::uint32_t index) { return "tm-" + std::to_string(index); }

std::optional<std::uint32_t> parse_task_manager_process(std::string_view name) {
  constexpr std::string_view kPrefix = "tm-";
  if (name.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view digits = name.substr(kPrefix.size());
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
  std::uint32_t index = 0;
  const char* end = digits.data() + digits.size();
  const auto [ptr, error] = std::from_chars(digits.data(), end, index);
  if (error != std::errc() || ptr != end) return std::nullopt;
  return index;
}

}  // namespace ckptsim::scenarios
