package discovery

import (
	"sync"
	"time"
)

// foundLimiter decides which received beacons are reported: each GUID at most
// once per window, and at most limit GUIDs per window in all, so neither a
// flood from one node nor a flood of made-up GUIDs makes the node dial in a loop.
type foundLimiter struct {
	window time.Duration
	limit  int

	mu   sync.Mutex
	last map[[lanGUIDLen]byte]time.Time // GUID -> when it was last reported
}

// newFoundLimiter returns a limiter with the given window and limit.
func newFoundLimiter(window time.Duration, limit int) *foundLimiter {
	return &foundLimiter{window: window, limit: limit, last: map[[lanGUIDLen]byte]time.Time{}}
}

// allow reports whether a beacon from guid received at now should be reported,
// and if so records it.
func (l *foundLimiter) allow(guid [lanGUIDLen]byte, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.last[guid]; ok && now.Sub(t) < l.window {
		return false
	}
	if len(l.last) >= l.limit {
		for g, t := range l.last {
			if now.Sub(t) >= l.window {
				delete(l.last, g)
			}
		}
		if len(l.last) >= l.limit {
			return false
		}
	}
	l.last[guid] = now
	return true
}
