// Package webrtccmp runs the WebRTC audio processing module (Debian's
// libwebrtc-audio-processing 0.3: the legacy AEC, not AEC3, and its noise
// suppressor) as an aec.Processor, to measure it against speexdsp with
// aec.Measure. It is a comparison, not a product part: it builds only with
// the tag webrtcaec (go test -tags webrtcaec ./core/call/aec/webrtccmp/),
// which needs libwebrtc-audio-processing-dev installed.
//
// It must never be imported by the product, must never allocate per frame,
// must never process a frame that is not a whole number of 10 ms chunks
// (Process panics), and must never touch its C++ state after Close.
package webrtccmp
