package call

import (
	"time"

	"tincan/core/audio"
	"tincan/core/call/aec"
	"tincan/core/call/codec"
	"tincan/core/call/jitter"
	"tincan/core/call/media"
)

// framesPerReport is how often (in 20 ms frames) a receiver report goes out.
const framesPerReport = 50

// pipeline is the call's audio loop, clocked by the capture device: each
// captured 20 ms frame is echo-cancelled, encoded, sealed and sent; then
// one frame is taken from the jitter buffer, decoded (or rebuilt from FEC,
// or concealed) and queued for playback, and kept as the canceller's
// reference. It owns the codec and the canceller, and frees them on return.
func (s *session) pipeline(enc *codec.Encoder, dec *codec.Decoder, ec *aec.Canceller) {
	defer func() {
		if ec != nil {
			ec.Close()
		}
	}()
	var (
		capt, clean, play audio.Frame
		opus              = make([]byte, media.MaxOpus)
		pkt               = make([]byte, 0, media.MaxPacket)
		payload           = make([]byte, 0, media.MaxOpus)
		seq               uint16
		ts                uint32
		gap               bool // the last frame was not sent (DTX or mute)
		started           bool // something was decoded: silence is then comfort noise
		frames            int
		bitrate           = enc.Bitrate()
		loss              = -1
	)
	for {
		if err := s.stream.ReadFrame(s.ctx, &capt); err != nil {
			return
		}
		frames++
		if b := int(s.target.Load()); b != bitrate {
			if enc.SetBitrate(b) == nil {
				bitrate = enc.Bitrate()
				s.bitrate.Store(int64(bitrate))
			}
		}
		if l := int(s.lossPct.Load()); l != loss {
			if enc.SetLossPercent(l) == nil {
				loss = l
			}
		}

		// Send.
		in := &capt
		if ec != nil {
			ec.Process(capt[:], play[:], clean[:])
			in = &clean
		}
		if s.muted.Load() {
			gap = true
		} else if n, err := enc.Encode(in[:], opus); err != nil {
			s.log.Warn("encode", "err", err)
		} else if codec.IsDTX(opus[:n]) {
			gap = true
		} else {
			var flags uint8
			if gap {
				flags = media.FlagResume
			}
			b, err := s.send.SealAudio(pkt[:0], seq, ts, flags, opus[:n])
			if err == nil {
				s.transmit(b)
				s.sent.Add(1)
				seq++
				gap = false
			}
		}
		ts += audio.FrameSamples
		if frames%framesPerReport == 0 {
			if b := s.report(); b != nil {
				s.transmit(b)
			}
		}

		// Play.
		s.rxMu.Lock()
		f := s.jb.Pop(time.Now())
		payload = append(payload[:0], f.Payload...)
		s.rxMu.Unlock()
		var err error
		switch f.Kind {
		case jitter.Normal:
			_, err = dec.Decode(payload, play[:])
			started = true
		case jitter.FEC:
			err = dec.DecodeFEC(payload, play[:])
		case jitter.Conceal:
			err = dec.Conceal(play[:])
		default: // Silence: comfort noise once the call has sound, else quiet
			if started {
				err = dec.Conceal(play[:])
			} else {
				clear(play[:])
			}
		}
		if err != nil {
			clear(play[:])
		}
		s.stream.WriteFrame(&play)
	}
}
