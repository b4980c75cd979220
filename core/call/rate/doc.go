// Package rate is the sender's bitrate and FEC adapter for a voice call: it
// turns the receiver's reports (loss, round-trip time, jitter) into the
// Opus encoder's target bitrate and expected loss percent, which decides
// how much in-band FEC the encoder adds. It is a simplified GCC/AIMD: it
// cuts the bitrate multiplicatively at once on heavy loss or a steep climb
// in round-trip time (congestion), holds it on moderate loss or a raised
// round-trip time, and raises it additively, slowly, on a clean path, more
// slowly still for a while after congestion.
//
// A Controller is a pure state machine: it is handed the time with each
// report, runs no goroutine and no timer, and the same reports at the same
// times give the same decisions.
//
// It must never leave 16..64 kb/s, never ask for more than 30 % FEC, and,
// while there has been loss recently, never choose a bitrate and loss
// percent at which libopus 1.3.1 puts no FEC in its packets (see FECWorks):
// with loss the bitrate stays at or above FECMinBitrate (20 kb/s), and below
// FECFullBandMin the loss percent is at least FECNarrowLoss. Only delay
// without loss takes the bitrate down to 16 kb/s.
package rate
