#include "amp/diagnostics.hpp"

#include <mutex>
#include <utility>

namespace amp {

namespace {

std::mutex sink_mutex;
WarningSink current_sink;

}  // namespace

WarningSink set_warning_sink(WarningSink sink) {
    const std::lock_guard lock(sink_mutex);
    return std::exchange(current_sink, std::move(sink));
}

void warn(const std::string& message) {
    // Held while calling, so warnings from fleet worker threads never interleave.
    const std::lock_guard lock(sink_mutex);
    if (current_sink) current_sink(message);
}

}  // namespace amp
