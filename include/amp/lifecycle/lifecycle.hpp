// The lifecycle decision engine in one include: pure functions that take a
// persona, its state, the inputs and the time, and return the new state and
// the audit events to append. No file I/O, no clock reads.
#pragma once

#include "amp/lifecycle/approve.hpp"
#include "amp/lifecycle/elevation.hpp"
#include "amp/lifecycle/evaluate.hpp"
#include "amp/lifecycle/gates.hpp"
#include "amp/lifecycle/mutation.hpp"
#include "amp/lifecycle/override.hpp"
#include "amp/lifecycle/state.hpp"
