package stun

import (
	"container/list"
	"sync"
	"time"
)

// bucket is a token bucket: rate tokens a second, at most burst saved up.
type bucket struct {
	tokens float64
	last   time.Time
}

// take refills b for the time since its last use and spends one token if it has one.
func (b *bucket) take(now time.Time, rate, burst float64) bool {
	if b.last.IsZero() {
		b.tokens = burst
	} else if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(burst, b.tokens+d*rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// limiter rate-limits by key (a source IP address, an asker): a token bucket
// per key, the most recently seen size keys kept, under one overall bucket.
type limiter[K comparable] struct {
	perKey, burst, total float64 // tokens a second per key, its burst, tokens a second overall (also its burst)
	size                 int

	mu    sync.Mutex
	all   bucket
	order *list.List // of *keyBucket[K], most recently used first
	byKey map[K]*list.Element
}

type keyBucket[K comparable] struct {
	key K
	bucket
}

// newLimiter returns a limiter of perKey tokens a second per key (and as
// its burst) and total a second over all keys, keeping size keys.
func newLimiter[K comparable](perKey, total, size int) *limiter[K] {
	return &limiter[K]{perKey: float64(perKey), burst: float64(perKey), total: float64(total), size: size,
		order: list.New(), byKey: make(map[K]*list.Element, size)}
}

// allow spends a token of key's bucket and of the overall one, if both have one.
func (l *limiter[K]) allow(key K, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b *keyBucket[K]
	if e, ok := l.byKey[key]; ok {
		l.order.MoveToFront(e)
		b = e.Value.(*keyBucket[K])
	} else {
		if l.order.Len() >= l.size {
			old := l.order.Back()
			l.order.Remove(old)
			delete(l.byKey, old.Value.(*keyBucket[K]).key)
		}
		b = &keyBucket[K]{key: key}
		l.byKey[key] = l.order.PushFront(b)
	}
	if !b.take(now, l.perKey, l.burst) {
		return false
	}
	return l.all.take(now, l.total, l.total)
}
