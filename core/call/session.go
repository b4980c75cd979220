package call

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"tincan/core/audio"
	"tincan/core/call/aec"
	"tincan/core/call/codec"
	"tincan/core/call/jitter"
	"tincan/core/call/media"
	"tincan/core/call/rate"
	"tincan/core/punch"
)

// Media path names (Stats.Path).
const (
	PathPunchedUDP = "punched-udp" // sealed UDP through both NATs (or none)
	PathDirect     = "direct"      // over the direct chat session (TCP)
	PathRelay      = "relay"       // over the relayed chat session
)

// session is the media of one call. Ownership:
//   - rxMu guards the opener, the jitter buffer and the receive figures;
//     it is taken by the UDP read loop, the chat session's read loop (via
//     Engine.OnMedia) and the pipeline's playout, each briefly.
//   - the pipeline goroutine alone owns the encoder, decoder, canceller and
//     their buffers.
//   - udpTo, muted, bitrate/lossPct targets and the counters are atomics.
type session struct {
	e      *Engine
	p      Params
	log    *slog.Logger
	send   *media.Sealer
	stream *audio.Stream
	start0 time.Time // monotonic base for report timestamps

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	remove func() // the UDP route

	udpTo   atomic.Pointer[netip.AddrPort] // where media goes over UDP; nil: over the session
	muted   atomic.Bool
	target  atomic.Int64 // the rate controller's bitrate
	lossPct atomic.Int64 // the rate controller's expected loss, for FEC

	sent     atomic.Uint64
	lastRecv atomic.Int64 // unix nanos of the last authentic packet

	rxMu       sync.Mutex
	recv       *media.Opener
	jb         *jitter.Buffer
	rc         *rate.Controller
	rxBody     []byte
	received   uint64
	rtt        time.Duration
	peerLoss   float64 // the contact's report of our packets' loss
	echoSent   uint64  // the peer's last SentMicros, to echo back
	echoAt     time.Time
	lastLost   uint64 // jitter Lost at the last report we sent
	lastPlayed uint64 // jitter frames played at the last report
	bitrate    atomic.Int64

	closeOnce sync.Once
	final     Stats
}

func newSession(e *Engine, p Params, send *media.Sealer, recv *media.Opener, dev audio.Device) (*session, error) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{
		e: e, p: p, log: e.log.With("call", fmt.Sprintf("%x", p.ID), "contact", p.ContactID),
		send: send, recv: recv, start0: time.Now(), ctx: ctx, cancel: cancel,
		jb:     jitter.New(e.cfg.Jitter),
		rc:     rate.New(rate.Config{}),
		rxBody: make([]byte, media.MaxBody),
		stream: audio.NewStream(dev, audio.StreamOptions{Logger: e.log}),
	}
	s.target.Store(codec.DefaultBitrate)
	s.bitrate.Store(codec.DefaultBitrate)
	s.lastRecv.Store(time.Now().UnixNano())
	return s, nil
}

// start routes UDP packets of this call here and starts the pipeline.
func (s *session) start() error {
	if u := s.e.cfg.UDP; u != nil {
		tag := media.TagOf(s.p.ID)
		s.remove = u.Route(func(b []byte) bool {
			t, ok := media.CallTag(b)
			return ok && t == tag
		}, s.receive)
	}
	if err := s.stream.Start(); err != nil {
		return err
	}
	enc, err := codec.NewEncoder(codec.Config{})
	if err != nil {
		return err
	}
	dec, err := codec.NewDecoder()
	if err != nil {
		return err
	}
	var ec *aec.Canceller
	if s.e.cfg.EchoCancel {
		ec, err = aec.New(aec.Config{Denoise: true})
		if err != nil {
			s.log.Warn("no echo canceller", "err", err)
			ec = nil
		}
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.pipeline(enc, dec, ec)
	}()
	return nil
}

// micros is our monotonic clock for reports, in microseconds (never 0).
func (s *session) micros() uint64 { return uint64(time.Since(s.start0).Microseconds()) + 1 }

// transmit sends a sealed packet over UDP when a path is known, else over
// the chat session.
func (s *session) transmit(b []byte) {
	if to := s.udpTo.Load(); to != nil {
		if _, err := s.e.cfg.UDP.WriteToUDPAddrPort(b, *to); err == nil {
			return
		}
	}
	s.e.cfg.Session.SendMedia(s.p.ContactID, b)
}

// receive takes a packet from UDP (from set) or from the session (from
// zero). Only authentic packets count, and only they can teach the UDP
// address: a stranger cannot redirect our media.
func (s *session) receive(b []byte, from netip.AddrPort) {
	s.rxMu.Lock()
	pkt, err := s.recv.Open(b, s.rxBody)
	if err != nil {
		s.rxMu.Unlock()
		return
	}
	now := time.Now()
	s.lastRecv.Store(now.UnixNano())
	var pong []byte
	switch pkt.Kind {
	case media.KindAudio:
		s.received++
		s.jb.Push(jitter.Packet{Seq: pkt.Audio.Seq, TS: pkt.Audio.TS, Payload: pkt.Audio.Payload}, now)
	case media.KindReport:
		s.onReport(pkt.Report, now)
	case media.KindPing:
		var buf [media.PongSize]byte
		pong, _ = s.send.SealPong(buf[:0], media.Pong{EchoMicros: pkt.Ping.SentMicros, HeldMicros: 1})
	case media.KindPong:
		if rtt, ok := media.RTT(s.micros(), pkt.Pong.EchoMicros, pkt.Pong.HeldMicros); ok {
			s.rtt = rtt
		}
	}
	s.rxMu.Unlock()
	if from.IsValid() {
		if cur := s.udpTo.Load(); cur == nil || *cur != from {
			s.log.Info("media path: UDP", "remote", from)
			s.udpTo.Store(&from)
		}
	}
	if pong != nil {
		s.transmit(pong)
	}
}

// onReport takes the contact's receiver report: the round trip, and the
// loss our packets see, which drive the bitrate and FEC. rxMu is held.
func (s *session) onReport(r media.Report, now time.Time) {
	if r.EchoMicros != 0 {
		if rtt, ok := media.RTT(s.micros(), r.EchoMicros, r.HeldMicros); ok {
			s.rtt = rtt
		}
	}
	s.echoSent, s.echoAt = r.SentMicros, now
	s.peerLoss = float64(r.FractionLost) / 256
	d := s.rc.Update(rate.Report{LossFraction: s.peerLoss, RTT: s.rtt, Jitter: time.Duration(r.JitterMicros) * time.Microsecond}, now)
	s.target.Store(int64(d.Bitrate))
	s.lossPct.Store(int64(d.LossPercent))
}

// report builds our receiver report for the contact.
func (s *session) report() []byte {
	s.rxMu.Lock()
	st := s.jb.Stats()
	frac := 0.0
	if expected := (st.Lost - s.lastLost) + (st.Played + st.RecoveredFEC - s.lastPlayed); expected > 0 {
		frac = float64(st.Lost-s.lastLost) / float64(expected)
	}
	s.lastLost, s.lastPlayed = st.Lost, st.Played+st.RecoveredFEC
	r := media.Report{
		Lost:         uint32(min(st.Lost, 1<<32-1)),
		FractionLost: uint8(min(255, frac*256)),
		JitterMicros: uint32(min(st.JitterP95.Microseconds(), media.MaxJitterMicros)),
		TargetMillis: uint16(min(st.TargetDelay.Milliseconds(), media.MaxBufferMillis)),
		DepthMillis:  uint16(min(max(st.Depth.Milliseconds(), 0), media.MaxBufferMillis)),
		SentMicros:   s.micros(),
	}
	if played := st.Played + st.RecoveredFEC + st.Concealed; played > 0 {
		r.Concealed = uint8(min(255, st.Concealed*256/played))
	}
	if s.echoSent != 0 {
		r.EchoMicros = s.echoSent
		r.HeldMicros = uint32(min(time.Since(s.echoAt).Microseconds(), media.MaxHeldMicros))
	}
	s.rxMu.Unlock()
	var buf [media.ReportSize]byte
	b, err := s.send.SealReport(buf[:0], r)
	if err != nil {
		s.log.Debug("report not sealed", "err", err)
		return nil
	}
	return b
}

// punch finds a UDP path to the contact's candidates; media uses it from
// the first authentic packet either way.
func (s *session) punch(ctx context.Context, p Params) {
	var peers []netip.AddrPort
	for _, c := range p.Remote {
		if a, err := netip.ParseAddrPort(c); err == nil {
			peers = append(peers, a)
		}
	}
	if len(peers) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.e.cfg.PunchTimeout)
	defer cancel()
	go func() { // also end the punch when the media closes
		select {
		case <-s.ctx.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	to, err := punch.UDP(ctx, s.e.cfg.UDP, peers, punchSecret(p.Key, p.ID), punch.Options{})
	if err != nil {
		s.log.Info("no UDP path: media stays on the session", "err", err)
		return
	}
	if s.udpTo.Load() == nil {
		s.log.Info("media path: UDP punched", "remote", to)
		s.udpTo.Store(&to)
	}
	// Tell the contact at once over UDP so its side switches too.
	var buf [media.PingSize]byte
	if b, err := s.send.SealPing(buf[:0], media.Ping{SentMicros: s.micros()}); err == nil {
		s.transmit(b)
	}
}

// Stats reports the live figures.
func (s *session) Stats() Stats {
	st := Stats{
		LastReceived: time.Unix(0, s.lastRecv.Load()),
		Sent:         s.sent.Load(),
		Bitrate:      int(s.bitrate.Load()),
		InputLevel:   s.stream.InputLevel(),
	}
	if to := s.udpTo.Load(); to != nil {
		st.Path, st.Remote = PathPunchedUDP, to.String()
	} else {
		path, relay := s.e.cfg.Session.SessionPath(s.p.ContactID)
		st.Path, st.Relay = PathDirect, ""
		if path == PathRelay {
			st.Path, st.Relay = PathRelay, relay
		}
	}
	s.rxMu.Lock()
	js := s.jb.Stats()
	st.Received = s.received
	st.RTT = s.rtt
	st.Loss = s.peerLoss
	st.Recovered = js.RecoveredFEC
	st.Lost, st.ConcealedN = js.Lost, js.Concealed
	st.JitterDepth = js.TargetDelay
	if n := js.Played + js.RecoveredFEC + js.Concealed; n > 0 {
		st.Concealed = float64(js.Concealed) / float64(n)
	}
	o := s.recv.Stats()
	st.Dropped = o.NotMedia + o.Version + o.OtherCall + o.TooLarge + o.Malformed + o.Replay + o.Auth
	s.rxMu.Unlock()
	return st
}

// SetMute stops or resumes sending the microphone.
func (s *session) SetMute(on bool) { s.muted.Store(on) }

// Close stops the pipeline and the device and returns the final figures.
func (s *session) Close() Stats {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.remove != nil {
			s.remove()
		}
		s.wg.Wait()
		s.stream.Close()
		s.e.forget(s)
		s.final = s.Stats()
		s.rxMu.Lock()
		js := s.jb.Stats()
		s.rxMu.Unlock()
		s.log.Info("call media closed", "path", s.final.Path, "sent", s.final.Sent, "received", s.final.Received,
			"jitter", fmt.Sprintf("%+v", js), "stream", fmt.Sprintf("%+v", s.stream.Stats()))
	})
	return s.final
}
