package media

import "time"

// RTT is the round-trip time an echo gives, RTCP LSR/DLSR style: now and
// echo on this side's monotonic clock in µs, held on the peer's. ok is false
// when there is no echo (0), or the result would be negative or over a
// minute (a clock or peer error).
func RTT(nowMicros, echoMicros uint64, heldMicros uint32) (rtt time.Duration, ok bool) {
	if echoMicros == 0 || nowMicros < echoMicros {
		return 0, false
	}
	d := nowMicros - echoMicros
	if d < uint64(heldMicros) || d-uint64(heldMicros) > MaxHeldMicros {
		return 0, false
	}
	return time.Duration(d-uint64(heldMicros)) * time.Microsecond, true
}
