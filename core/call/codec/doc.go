// Package codec is tincan's voice codec: Opus (libopus through
// github.com/hraban/opus) fixed at 48 kHz mono, 20 ms frames of 960 samples,
// the VoIP application, in-band FEC, DTX and VBR. The Encoder's bitrate and
// expected loss are set by the call's rate adapter (core/call/rate); the
// Decoder decodes, rebuilds a lost frame from the next packet's FEC, and
// conceals a frame for which nothing arrived.
//
// It must never allocate per frame: Encode, Decode, DecodeFEC and Conceal
// write into the caller's buffers and allocate nothing on success. It must
// never hand libopus a frame size other than 960 samples: hraban/opus takes
// cap(pcm) as libopus's frame_size, so every method slices the caller's
// buffer to [:960:960] itself, and a caller cannot get 120 ms of
// concealment or FEC for a 20 ms gap, nor decode a packet longer than one
// frame. It must never read or write outside a packet of MaxPacket bytes.
package codec
