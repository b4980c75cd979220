// Package wire is the framed, versioned protocol spoken inside a chat session:
// frame encoding and the payloads of each frame type, every one size-limited.
//
// It must never allocate more than MaxFrame bytes for a frame from the network.
package wire

// Version is the protocol version written in every frame header.
const Version = 1

// MaxFrame bounds a frame's payload.
const MaxFrame = 64 << 10
