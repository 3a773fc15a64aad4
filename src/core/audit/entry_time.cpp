#include "amp/audit/entry_time.hpp"

#include <fmt/format.h>

#include "amp/diagnostics.hpp"
#include "amp/store/chain.hpp"

namespace amp::audit {

TimePoint next_entry_time(const std::filesystem::path& audit_log, TimePoint now) {
    const store::ChainTail tail = store::read_tail(audit_log);
    if (!tail.last_entry || !tail.last_entry->is_object() || !tail.last_entry->contains("ts") ||
        !(*tail.last_entry)["ts"].is_string()) {
        return now;
    }
    const auto last = parse_time((*tail.last_entry)["ts"].get<std::string>());
    if (!last || *last <= now) return now;
    warn(fmt::format("the clock ({}) is behind the newest entry of {} ({}); using the latter", format_time(now),
                     audit_log.filename().string(), format_time(*last)));
    return *last;
}

}  // namespace amp::audit
