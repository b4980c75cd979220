package stun

import (
	"container/list"
	"net/netip"
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

// limiter rate-limits by IP address (a token bucket per address, the most
// recently seen size addresses kept) under one overall bucket.
type limiter struct {
	perIP, total float64 // tokens a second; also the burst
	size         int

	mu    sync.Mutex
	all   bucket
	order *list.List // of *ipBucket, most recently used first
	byIP  map[netip.Addr]*list.Element
}

type ipBucket struct {
	ip netip.Addr
	bucket
}

func newLimiter(perIP, total, size int) *limiter {
	return &limiter{perIP: float64(perIP), total: float64(total), size: size,
		order: list.New(), byIP: make(map[netip.Addr]*list.Element, size)}
}

// allow spends a token of ip's bucket and of the overall one, if both have one.
func (l *limiter) allow(ip netip.Addr, now time.Time) bool {
	ip = ip.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	var b *ipBucket
	if e, ok := l.byIP[ip]; ok {
		l.order.MoveToFront(e)
		b = e.Value.(*ipBucket)
	} else {
		if l.order.Len() >= l.size {
			old := l.order.Back()
			l.order.Remove(old)
			delete(l.byIP, old.Value.(*ipBucket).ip)
		}
		b = &ipBucket{ip: ip}
		l.byIP[ip] = l.order.PushFront(b)
	}
	if !b.take(now, l.perIP, l.perIP) {
		return false
	}
	return l.all.take(now, l.total, l.total)
}
