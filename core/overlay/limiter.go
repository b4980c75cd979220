package overlay

// tokenBucket limits how many new floods one link may bring in: rate per
// second, up to burst at once.
type tokenBucket struct {
	tokens float64
	at     int64 // Unix nanoseconds of the last refill
}

// allow takes a token if one is left after refilling to now.
func (b *tokenBucket) allow(now int64, rate, burst float64) bool {
	b.tokens += float64(now-b.at) / 1e9 * rate
	if b.tokens > burst {
		b.tokens = burst
	}
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// full reports whether the bucket would be back at burst by now, so it can
// be forgotten.
func (b *tokenBucket) full(now int64, rate, burst float64) bool {
	return b.tokens+float64(now-b.at)/1e9*rate >= burst
}
