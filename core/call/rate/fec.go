package rate

// Where libopus 1.3.1 (the VoIP application at complexity 5..8, 20 ms
// frames, mono) puts in-band FEC in its packets, measured on speech by
// core/call/codec's TestFECRange, with a margin of 1-3 kb/s. libopus
// enables FEC only when its bitrate, discounted for complexity and for the
// expected loss, exceeds a threshold that depends on the audio bandwidth.
// For a loss percent of 5 or less it tries only the current (full) band,
// which needs about 33 kb/s; above 5 it narrows the band until FEC fits,
// down to about 19 kb/s. Below that there is no FEC at any loss.
const (
	FECMinBitrate  = 20000 // b/s: no FEC below this, whatever the loss percent
	FECFullBandMin = 36000 // b/s: from here up, any loss percent of 1 or more gives FEC
	FECNarrowLoss  = 6     // the loss percent at which libopus narrows the band to make room for FEC
)

// FECWorks reports whether an encoder set to bitrate (b/s) and lossPercent
// puts FEC in its packets: what the Controller keeps to while there is
// loss.
func FECWorks(bitrate, lossPercent int) bool {
	switch {
	case lossPercent <= 0 || bitrate < FECMinBitrate:
		return false
	case bitrate >= FECFullBandMin:
		return true
	default:
		return lossPercent >= FECNarrowLoss
	}
}
