package jitter

// seqDiff is a-b as a signed distance across the wrap of a 16-bit sequence
// number (65535 -> 0).
func seqDiff(a, b uint16) int { return int(int16(a - b)) }

// tsDiff is a-b in samples as a signed distance across the wrap of a 32-bit
// timestamp.
func tsDiff(a, b uint32) int64 { return int64(int32(a - b)) }
