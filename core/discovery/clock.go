package discovery

import "tincan/core/clock"

// Clock is the Elector's only source of time (the project's one clock
// interface), so tests can run it on clocktest's fake.
type Clock = clock.Clock

// RealClock is the wall clock.
type RealClock = clock.Real
