package media

import "errors"

// Open returns exactly one of these, unwrapped, for a packet it refuses, so
// a caller can switch on the error to count it; Seal methods wrap them with
// context.
var (
	// ErrNotMedia: not framed as a media packet (no magic byte, or shorter
	// than a header). Never the result for anything IsMedia accepts.
	ErrNotMedia = errors.New("media: not a media packet")
	// ErrVersion: a media packet of a version this package does not speak.
	ErrVersion = errors.New("media: unknown media packet version")
	// ErrOtherCall: a media packet for another call (its call tag differs).
	ErrOtherCall = errors.New("media: packet for another call")
	// ErrTooLarge: a packet over MaxPacket, or a body over its limit.
	ErrTooLarge = errors.New("media: packet too large")
	// ErrMalformed: an unknown kind, a length wrong for the kind, a counter
	// out of range, or (after authentication) a field out of its bounds.
	ErrMalformed = errors.New("media: malformed media packet")
	// ErrReplay: a counter already seen or older than the replay window.
	ErrReplay = errors.New("media: replayed or too old media packet")
	// ErrAuth: the AEAD tag does not verify under this direction's key.
	ErrAuth = errors.New("media: media packet failed authentication")
	// ErrExhausted: the Sealer has used every counter up to MaxCounter.
	ErrExhausted = errors.New("media: packet counter exhausted")
)
