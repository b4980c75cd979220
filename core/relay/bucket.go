package relay

import (
	"context"
	"time"
)

// bucket is a token bucket for one direction of a session; one goroutine
// uses it. A nil bucket allows everything.
type bucket struct {
	rate   float64 // bytes per second
	burst  float64
	tokens float64 // may go negative: a debt that wait sleeps off
	last   time.Time
}

func newBucket(rate int64, burst int) *bucket {
	return &bucket{rate: float64(rate), burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// wait takes n bytes' worth of tokens, sleeping until the bucket is out of
// debt or ctx ends.
func (b *bucket) wait(ctx context.Context, n int) error {
	if b == nil {
		return nil
	}
	now := time.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens -= float64(n)
	if b.tokens >= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(-b.tokens / b.rate * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
