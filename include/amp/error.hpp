// The single error type of the core library and the exit codes it maps to.
//
// Low layers throw amp::Error when they cannot do the work (bad input, I/O
// failure, missing trust store). Negative verdicts (a signature that does not
// verify, a broken chain) are returned as values, never thrown. The CLI turns
// an Error into "amp: error: ..." plus hints and its exit code, in one place.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace amp {

// Process exit codes, the same for every command.
enum class ExitCode : int {
    ok = 0,         // success: valid, allowed, transition applied
    negative = 1,   // verification failed, chain broken, denied, no gate fired
    waiting = 2,    // pending human approval
    failure = 3,    // could not do the work: invalid input, I/O error, lock timeout
    usage = 64,     // unknown flag, missing argument
};

class Error : public std::runtime_error {
public:
    explicit Error(std::string message, std::vector<std::string> hints = {},
                   ExitCode code = ExitCode::failure)
        : std::runtime_error(std::move(message)), hints_(std::move(hints)), code_(code) {}

    // Follow-up lines for the operator, usually the command that fixes the problem.
    const std::vector<std::string>& hints() const noexcept { return hints_; }
    ExitCode code() const noexcept { return code_; }

private:
    std::vector<std::string> hints_;
    ExitCode code_;
};

}  // namespace amp
