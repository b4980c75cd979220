// Package aec removes the far end's voice (echo) and steady noise from the
// microphone signal of a voice call. A Canceller wraps speexdsp: its MDF
// adaptive echo canceller (speex_echo_*) followed by its preprocessor
// (speex_preprocess_*) for residual echo suppression and denoising, at
// 48 kHz mono 16-bit in frames of 10 or 20 ms. Measure runs any Processor
// over a simulated echo path (a synthetic room, a delay, double talk and
// noise) and reports echo return loss enhancement, near-end distortion and
// CPU time, so the canceller and its alternatives can be compared.
//
// A Canceller must never allocate per frame (Process is called on the audio
// path every 10 or 20 ms), must never process a frame of a size other than
// the one it was configured with (Process panics instead: speexdsp would
// read and write past the slices), and must never hold or touch its C state
// after Close (Close frees it and clears the pointers, a second Close does
// nothing, and Process after Close writes silence). It is not safe for
// concurrent use: one goroutine (the audio path) owns it.
package aec
