package call

import (
	"context"
	"time"
)

// Params is what the media of one answered call needs.
type Params struct {
	ContactID int64
	ID        [8]byte
	Key       [32]byte // the call key from the offer
	Caller    bool     // we made the call (chooses the direction keys)
	Remote    []string // the contact's UDP candidates ("ip:port")
}

// MediaStarter opens the media of an answered call: the path to the
// contact and the audio device. Start may take seconds (UDP punching); it
// must give up when ctx ends.
type MediaStarter interface {
	StartMedia(ctx context.Context, p Params) (Media, error)
}

// Media is a running call's audio: capture, encode, seal, send; receive,
// open, jitter buffer, decode, play.
type Media interface {
	// Stats reports the live figures.
	Stats() Stats
	// SetMute stops (true) or resumes sending the microphone.
	SetMute(on bool)
	// Close stops the media and releases the audio device; it returns the
	// final figures. It is called once.
	Close() Stats
}

// Stats are a call's live media figures.
type Stats struct {
	Path         string        // "punched-udp", "direct" (over the chat session) or "relay"
	Relay        string        // the relay's address when Path is "relay"
	Remote       string        // the UDP address media goes to, when over UDP
	LastReceived time.Time     // when the last authentic media packet arrived
	Sent         uint64        // audio packets sent
	Received     uint64        // authentic audio packets received
	Loss         float64       // fraction of the contact's packets lost (0..1), recent
	Concealed    float64       // fraction of played frames concealed (PLC), whole call
	Recovered    uint64        // frames rebuilt from FEC
	Lost         uint64        // the contact's packets that never played (lost or late)
	ConcealedN   uint64        // frames we played that were concealed (PLC)
	JitterDepth  time.Duration // the jitter buffer's current target
	RTT          time.Duration // round trip, from the media reports
	Bitrate      int           // our encoder's bitrate, bits/s
	Dropped      uint64        // packets refused: strangers, replays, other calls
	InputLevel   float64       // 0..1, the microphone's recent level
}
