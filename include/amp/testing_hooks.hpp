// Crash injection for durability tests.
//
// When AMP_TEST_CRASH_AT names a step, amp kills itself with SIGKILL on
// reaching it, so tests can prove that a crash at any step of a state
// mutation leaves the files consistent. Operators never set this variable.
#pragma once

#include <string_view>

namespace amp {

void crash_point(std::string_view step);

}  // namespace amp
