// Warnings raised by the core library while it keeps working.
//
// The core never prints. It hands warnings (a retired key in its grace
// period, a private key file readable by others) to the sink the front end
// installed; the CLI prints them to stderr as "amp: warning: ...".
#pragma once

#include <functional>
#include <string>

namespace amp {

using WarningSink = std::function<void(const std::string& message)>;

// Installs the sink for this process and returns the previous one. Without a
// sink, warnings are dropped.
WarningSink set_warning_sink(WarningSink sink);

void warn(const std::string& message);

}  // namespace amp
