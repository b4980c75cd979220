// Package quality measures how much of a speech signal survived a call:
// objective measures between a reference signal and a degraded copy of it,
// both 48 kHz mono signed 16-bit. Align finds the degraded copy's delay by
// normalised cross-correlation; SegSNR (segmental SNR), LSD (log-spectral
// distance) and STOI (short-time objective intelligibility, Taal et al. 2011)
// score an aligned pair; Compare does all of it for the call benchmark.
// PESQ and POLQA are left out on purpose: their licences forbid it.
//
// It must never mutate its inputs: every function reads the caller's slices
// and works on its own copies. It must never report a score for something it
// could not measure: a pair with no active reference speech (or too short for
// STOI's 384 ms segments) scores NaN, not a number that looks like a result.
// It is for tests and benchmarks, not for the audio path: it allocates freely.
package quality
