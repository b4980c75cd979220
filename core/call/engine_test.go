package call

import (
	"context"
	"crypto/rand"
	"net"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tincan/core/audio"
	"tincan/core/call/media"
	"tincan/core/call/quality"
	"tincan/core/stun"
)

// loopLink carries media over an in-memory "chat session" between two
// engines, as wire.Media frames would; it can be switched off.
type loopLink struct {
	mu   sync.Mutex
	peer *Engine
	id   int64 // how the peer knows us
	off  bool
	sent int
}

func (l *loopLink) SendMedia(_ int64, b []byte) bool {
	l.mu.Lock()
	peer, off := l.peer, l.off
	if !off {
		l.sent++
	}
	l.mu.Unlock()
	if off || peer == nil {
		return false
	}
	cp := append([]byte(nil), b...)
	go peer.OnMedia(l.id, cp)
	return true
}

func (l *loopLink) SessionPath(int64) (string, string) { return "direct", "" }

func (l *loopLink) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent
}

// side is one party of an in-process call.
type side struct {
	e    *Engine
	link *loopLink
	mux  *stun.Mux
	conn *net.UDPConn
	in   string
	out  string
	said []int16
}

func newSide(t *testing.T, dir, name, speech string, noUDP bool) *side {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &side{conn: conn, mux: stun.NewMux(conn, stun.MuxOptions{}), link: &loopLink{},
		in: filepath.Join(dir, name+"-in.wav"), out: filepath.Join(dir, name+"-out.wav")}
	t.Cleanup(func() { s.mux.Close(); conn.Close() })
	all, _, err := audio.ReadWAV(filepath.Join("..", "..", "assets", "speech", speech))
	if err != nil {
		t.Fatal(err)
	}
	s.said = all[:3*audio.SampleRate]
	if err := audio.WriteWAV(s.in, s.said); err != nil {
		t.Fatal(err)
	}
	s.e = NewEngine(EngineConfig{
		UDP: s.mux, Session: s.link, NoUDP: noUDP,
		Audio: func() (audio.Device, error) { return audio.NewWAV(s.in, s.out, audio.WAVOptions{}) },
	})
	return s
}

// talk runs one call between a and b for the clip's length and returns
// both sides' final figures.
func talk(t *testing.T, a, b *side, during func(ma, mb Media)) (Stats, Stats) {
	t.Helper()
	var key [32]byte
	var id [8]byte
	rand.Read(key[:])
	rand.Read(id[:])
	a.link.peer, a.link.id = b.e, 1
	b.link.peer, b.link.id = a.e, 2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ma, err := a.e.StartMedia(ctx, Params{ContactID: 2, ID: id, Key: key, Caller: true, Remote: []string{b.mux.LocalAddr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := b.e.StartMedia(ctx, Params{ContactID: 1, ID: id, Key: key, Caller: false, Remote: []string{a.mux.LocalAddr().String()}})
	if err != nil {
		ma.Close()
		t.Fatal(err)
	}
	if during != nil {
		during(ma, mb)
	}
	deadline := time.Now().Add(3*time.Second + 600*time.Millisecond)
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // the WAV devices play in real time
	}
	return ma.Close(), mb.Close()
}

// heard checks that what b heard is what a said.
func heard(t *testing.T, what string, said []int16, out string) {
	t.Helper()
	got, _, err := audio.ReadWAV(out)
	if err != nil {
		t.Fatal(err)
	}
	r := quality.Compare(said, got)
	carried := quality.CarriedShare(said, got, r.Lag, audio.SampleRate/4, 0.5)
	t.Logf("%s: %s, %.0f%% carried", what, r, carried*100)
	if r.Lag < 0 || r.Lag > audio.SampleRate/2 || carried < 0.8 {
		t.Errorf("%s: what was heard is not what was said: %s, %.0f%% carried", what, r, carried*100)
	}
}

func TestEngineCallOverPunchedUDP(t *testing.T) {
	dir := t.TempDir()
	a, b := newSide(t, dir, "a", "speech-a.wav", false), newSide(t, dir, "b", "speech-b.wav", false)
	sa, sb := talk(t, a, b, nil)
	if sa.Path != PathPunchedUDP || sb.Path != PathPunchedUDP {
		t.Fatalf("paths %q / %q, want %q on both sides", sa.Path, sb.Path, PathPunchedUDP)
	}
	if sa.Sent == 0 || sa.Received == 0 || sb.Sent == 0 || sb.Received == 0 {
		t.Fatalf("one-way audio: a sent %d received %d, b sent %d received %d", sa.Sent, sa.Received, sb.Sent, sb.Received)
	}
	heard(t, "a -> b", a.said, b.out)
	heard(t, "b -> a", b.said, a.out)
}

func TestEngineCallOverTheSessionWhenUDPIsBlocked(t *testing.T) {
	dir := t.TempDir()
	a, b := newSide(t, dir, "a", "speech-a.wav", true), newSide(t, dir, "b", "speech-b.wav", true)
	sa, sb := talk(t, a, b, nil)
	if sa.Path != PathDirect || sb.Path != PathDirect {
		t.Fatalf("paths %q / %q, want media over the session", sa.Path, sb.Path)
	}
	if a.link.count() == 0 || b.link.count() == 0 {
		t.Fatal("nothing went over the session")
	}
	heard(t, "a -> b", a.said, b.out)
	heard(t, "b -> a", b.said, a.out)
}

// TestEngineDropsStrangersReplaysAndOtherCalls: packets from a stranger
// (garbage, or sealed under another call's key), replays of real packets,
// and packets of an ended call are dropped and counted, never played.
func TestEngineDropsStrangersReplaysAndOtherCalls(t *testing.T) {
	dir := t.TempDir()
	a, b := newSide(t, dir, "a", "speech-a.wav", false), newSide(t, dir, "b", "speech-b.wav", false)
	stranger, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	// A tap on a's socket keeps copies of what b sends it, to replay.
	var tapMu sync.Mutex
	var captured [][]byte
	remove := a.mux.Route(func(p []byte) bool {
		if media.IsMedia(p) {
			tapMu.Lock()
			if len(captured) < 50 {
				captured = append(captured, append([]byte(nil), p...))
			}
			tapMu.Unlock()
		}
		return false
	}, func([]byte, netip.AddrPort) {})
	defer remove()
	var sentBogus int
	sa, _ := talk(t, a, b, func(Media, Media) {
		// Wait (with a deadline) for real packets to replay.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			tapMu.Lock()
			n := len(captured)
			tapMu.Unlock()
			if n >= 20 {
				break
			}
		}
		to := a.mux.LocalAddr()
		tapMu.Lock()
		replays := append([][]byte(nil), captured...)
		tapMu.Unlock()
		for _, p := range replays { // replays from a stranger's address
			stranger.WriteToUDPAddrPort(p, to)
			sentBogus++
		}
		var key [32]byte
		rand.Read(key[:])
		if len(replays) > 0 {
			var otherID [8]byte
			copy(otherID[:], replays[0][2:6]) // same tag: only the AEAD can tell
			s, _, err := media.Keys(key, otherID, false)
			if err != nil {
				t.Error(err)
				return
			}
			for i := range 20 {
				p, _ := s.SealAudio(nil, uint16(i), uint32(i*960), 0, []byte{0xfc, 1, 2, 3})
				stranger.WriteToUDPAddrPort(p, to)
				sentBogus++
			}
		}
		for range 20 { // garbage with the media magic
			stranger.WriteToUDPAddrPort([]byte{0xd2, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, to)
		}
	})
	if len(captured) == 0 {
		t.Fatal("the tap saw no media")
	}
	if sa.Dropped < uint64(sentBogus) {
		t.Fatalf("a dropped %d packets, but %d replayed or forged ones were sent to it", sa.Dropped, sentBogus)
	}
	if sa.Remote != b.mux.LocalAddr().String() {
		t.Fatalf("a's media now goes to %s: a stranger redirected it (b is %s)", sa.Remote, b.mux.LocalAddr())
	}
	heard(t, "b -> a despite the stranger", b.said, a.out)
}

func TestEngineMuteSendsNothing(t *testing.T) {
	dir := t.TempDir()
	a, b := newSide(t, dir, "a", "speech-a.wav", false), newSide(t, dir, "b", "speech-b.wav", false)
	sa, sb := talk(t, a, b, func(ma, _ Media) { ma.SetMute(true) })
	if sa.Sent > 5 {
		t.Fatalf("a sent %d audio packets while muted", sa.Sent)
	}
	if sb.Sent == 0 {
		t.Fatal("b sent nothing: muting one side must not silence the other")
	}
}
