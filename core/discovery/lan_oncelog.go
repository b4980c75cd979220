package discovery

import (
	"log/slog"
	"sync"
)

// onceLog logs a failing operation once, not on every retry, and logs again
// when it recovers.
type onceLog struct {
	log    *slog.Logger
	sticky map[string]bool // keys that sweep never forgets

	mu      sync.Mutex
	failed  map[string]bool // keys whose failure has been logged
	touched map[string]bool // keys reported since the last sweep
}

// newOnceLog returns an onceLog writing to log; sticky keys survive sweeps.
func newOnceLog(log *slog.Logger, sticky ...string) *onceLog {
	o := &onceLog{log: log, sticky: map[string]bool{}, failed: map[string]bool{}, touched: map[string]bool{}}
	for _, k := range sticky {
		o.sticky[k] = true
	}
	return o
}

// report records the outcome of the operation named key: a failure is
// logged if it is the first since the last success.
func (o *onceLog) report(key string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.touched[key] = true
	if err == nil {
		if o.failed[key] {
			delete(o.failed, key)
			o.log.Info("LAN discovery recovered", "op", key)
		}
		return
	}
	if o.failed[key] {
		return
	}
	o.failed[key] = true
	o.log.Warn("LAN discovery failed, retrying every interval", "op", key, "err", err)
}

// sweep forgets failures not retried since the last sweep (an interface that
// went away), so the map stays small and a recurrence is logged afresh.
func (o *onceLog) sweep() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for k := range o.failed {
		if !o.touched[k] && !o.sticky[k] {
			delete(o.failed, k)
		}
	}
	clear(o.touched)
}
