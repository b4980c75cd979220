package call

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"tincan/core/clock/clocktest"
	"tincan/core/wire"
)

// wireNet carries call frames between managers asynchronously, as chat's
// session queues do; a link can be cut to model a lost session.
type wireNet struct {
	mu    sync.Mutex
	peers map[int64]*Manager // contact ID as seen by the sender -> receiving manager
	from  map[int64]int64    // how the receiver knows the sender
	down  map[int64]bool
	shut  bool
	q     chan func()
	done  chan struct{}
}

func newWireNet(t *testing.T) *wireNet {
	n := &wireNet{peers: map[int64]*Manager{}, from: map[int64]int64{}, down: map[int64]bool{}, q: make(chan func(), 1024), done: make(chan struct{})}
	go func() {
		defer close(n.done)
		for f := range n.q {
			f()
		}
	}()
	t.Cleanup(func() {
		n.mu.Lock()
		n.shut = true
		close(n.q)
		n.mu.Unlock()
		<-n.done
	})
	return n
}

// sender is one manager's Signaller: contact id -> the other manager.
type sender struct {
	n  *wireNet
	me int64 // how the others know this manager
}

func (s sender) SendCall(contactID int64, c wire.Call) error {
	s.n.mu.Lock()
	defer s.n.mu.Unlock()
	dst, down := s.n.peers[contactID], s.n.down[contactID] || s.n.down[s.me]
	if dst == nil || down || s.n.shut {
		return errors.New("no session")
	}
	me := s.me
	select {
	case s.n.q <- func() { dst.OnSignal(me, c) }:
		return nil
	default:
		return errors.New("queue full")
	}
}

// fakeMedia is a running call's media as the state machine sees it.
type fakeMedia struct {
	mu     sync.Mutex
	p      Params
	last   time.Time
	muted  bool
	closed bool
}

func (f *fakeMedia) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Stats{Path: "punched-udp", LastReceived: f.last}
}
func (f *fakeMedia) SetMute(on bool) { f.mu.Lock(); f.muted = on; f.mu.Unlock() }
func (f *fakeMedia) Close() Stats    { f.mu.Lock(); f.closed = true; f.mu.Unlock(); return f.Stats() }

type mediaStarter struct {
	mu      sync.Mutex
	clk     *clocktest.Fake
	started []*fakeMedia
	fail    error
}

func (s *mediaStarter) StartMedia(_ context.Context, p Params) (Media, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	m := &fakeMedia{p: p, last: s.clk.Now()}
	s.started = append(s.started, m)
	return m, nil
}

func (s *mediaStarter) all() []*fakeMedia {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*fakeMedia(nil), s.started...)
}

// party is one side: its manager, its events and its media.
type party struct {
	m      *Manager
	media  *mediaStarter
	mu     sync.Mutex
	events []Info
	conns  []int64
}

func (p *party) infos() []Info {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Info(nil), p.events...)
}

func (p *party) last() Info {
	ev := p.infos()
	if len(ev) == 0 {
		return Info{}
	}
	return ev[len(ev)-1]
}

// pair makes Ana (known to Ben as contact 1) and Ben (known to Ana as 2).
func pair(t *testing.T) (ana, ben *party, n *wireNet, clk *clocktest.Fake) {
	t.Helper()
	clk = clocktest.New(time.Unix(1_800_000_000, 0))
	n = newWireNet(t)
	mk := func(me int64) *party {
		p := &party{media: &mediaStarter{clk: clk}}
		p.m = New(Config{
			Signal:     sender{n: n, me: me},
			Media:      p.media,
			Candidates: func() []string { return []string{"127.0.0.1:9"} },
			Connect:    func(id int64) { p.mu.Lock(); p.conns = append(p.conns, id); p.mu.Unlock() },
			Emit:       func(i Info) { p.mu.Lock(); p.events = append(p.events, i); p.mu.Unlock() },
			Clock:      clk,
		})
		return p
	}
	ana, ben = mk(1), mk(2)
	n.peers[2], n.peers[1] = ben.m, ana.m
	return ana, ben, n, clk
}

// waitFor polls cond until it holds or two seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func state(p *party) State {
	if i, ok := p.m.Current(); ok {
		return i.State
	}
	return p.last().State
}

func TestCallAnsweredAndHungUp(t *testing.T) {
	ana, ben, _, _ := pair(t)
	if err := ana.m.Dial(2); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Ben's phone to ring", func() bool { return state(ben) == Ringing })
	waitFor(t, "Ana to hear the ringback", func() bool { i, _ := ana.m.Current(); return i.RemoteRinging })
	if err := ben.m.Answer(1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both sides active", func() bool { return state(ana) == Active && state(ben) == Active })
	am, bm := ana.media.all(), ben.media.all()
	if len(am) != 1 || len(bm) != 1 {
		t.Fatalf("media started %d times for Ana and %d for Ben, want once each", len(am), len(bm))
	}
	if am[0].p.Key != bm[0].p.Key || am[0].p.ID != bm[0].p.ID || !am[0].p.Caller || bm[0].p.Caller {
		t.Fatalf("the two sides' media disagree: Ana %+v, Ben %+v", am[0].p, bm[0].p)
	}
	if len(am[0].p.Remote) != 1 || len(bm[0].p.Remote) != 1 {
		t.Fatalf("candidates were not exchanged: Ana got %v, Ben got %v", am[0].p.Remote, bm[0].p.Remote)
	}
	if err := ben.m.Hangup(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both sides ended", func() bool { return state(ana) == Ended && state(ben) == Ended })
	if r := ana.last().Reason; r != ReasonRemoteHangup {
		t.Fatalf("Ana's call ended with %q, want %q", r, ReasonRemoteHangup)
	}
	if r := ben.last().Reason; r != ReasonHangup {
		t.Fatalf("Ben's call ended with %q, want %q", r, ReasonHangup)
	}
	if !am[0].closed || !bm[0].closed {
		t.Fatal("media still open after hang-up")
	}
	if _, ok := ana.m.Current(); ok {
		t.Fatal("Ana still has a current call after it ended")
	}
}

func TestCallDeclinedBusyCancelled(t *testing.T) {
	t.Run("declined", func(t *testing.T) {
		ana, ben, _, _ := pair(t)
		ana.m.Dial(2)
		waitFor(t, "ringing", func() bool { return state(ben) == Ringing })
		if err := ben.m.Decline(1); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "Ana told", func() bool { return state(ana) == Ended })
		if ana.last().Reason != ReasonDeclined || ben.last().Reason != ReasonDeclined {
			t.Fatalf("reasons %q / %q, want declined on both sides", ana.last().Reason, ben.last().Reason)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ana, ben, _, _ := pair(t)
		ana.m.Dial(2)
		waitFor(t, "ringing", func() bool { return state(ben) == Ringing })
		ana.m.Hangup()
		waitFor(t, "Ben told", func() bool { return state(ben) == Ended })
		if ana.last().Reason != ReasonCancelled || ben.last().Reason != ReasonMissed {
			t.Fatalf("reasons %q / %q, want cancelled / missed", ana.last().Reason, ben.last().Reason)
		}
	})
	t.Run("busy", func(t *testing.T) {
		ana, ben, n, clk := pair(t)
		carl := New(Config{Signal: sender{n: n, me: 3}, Media: &mediaStarter{clk: clk}, Clock: clk})
		n.mu.Lock()
		n.peers[3] = carl
		n.mu.Unlock()
		ana.m.Dial(2)
		waitFor(t, "ringing", func() bool { return state(ben) == Ringing })
		var carlInfo []Info
		var mu sync.Mutex
		carl.cfg.Emit = func(i Info) { mu.Lock(); carlInfo = append(carlInfo, i); mu.Unlock() }
		if err := carl.Dial(2); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "Carl told Ben is busy", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(carlInfo) > 0 && carlInfo[len(carlInfo)-1].Reason == ReasonBusy
		})
		if i, _ := ben.m.Current(); i.ContactID != 1 || i.State != Ringing {
			t.Fatalf("Carl's call disturbed Ana's: Ben's call is %+v", i)
		}
	})
}

func TestCallTimeouts(t *testing.T) {
	t.Run("no answer", func(t *testing.T) {
		ana, ben, _, clk := pair(t)
		ana.m.Dial(2)
		waitFor(t, "ringing", func() bool { i, _ := ana.m.Current(); return i.RemoteRinging })
		clk.Advance(44 * time.Second)
		if state(ana) != Calling {
			t.Fatalf("call gave up before 45 s: %v", state(ana))
		}
		clk.Advance(2 * time.Second)
		waitFor(t, "both ended", func() bool { return state(ana) == Ended && state(ben) == Ended })
		if ana.last().Reason != ReasonNoAnswer || ben.last().Reason != ReasonMissed {
			t.Fatalf("reasons %q / %q, want no-answer / missed", ana.last().Reason, ben.last().Reason)
		}
	})
	t.Run("offline until the session comes up", func(t *testing.T) {
		ana, ben, n, clk := pair(t)
		n.mu.Lock()
		n.down[2] = true
		n.mu.Unlock()
		ana.m.Dial(2)
		waitFor(t, "a connect request", func() bool { ana.mu.Lock(); defer ana.mu.Unlock(); return len(ana.conns) == 1 })
		clk.Advance(3 * time.Second)
		n.mu.Lock()
		n.down[2] = false
		n.mu.Unlock()
		ana.m.OnSession(2, true)
		waitFor(t, "Ben's phone to ring", func() bool { return state(ben) == Ringing })
	})
	t.Run("offline for good", func(t *testing.T) {
		ana, _, n, clk := pair(t)
		n.mu.Lock()
		n.down[2] = true
		n.mu.Unlock()
		ana.m.Dial(2)
		clk.Advance(16 * time.Second)
		waitFor(t, "ended", func() bool { return state(ana) == Ended })
		if r := ana.last().Reason; r != ReasonOffline {
			t.Fatalf("reason %q, want offline", r)
		}
	})
}

func TestCallGlareMakesOneCall(t *testing.T) {
	for i := range 20 {
		ana, ben, _, _ := pair(t)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); ana.m.Dial(2) }()
		go func() { defer wg.Done(); ben.m.Dial(1) }()
		wg.Wait()
		waitFor(t, "both active", func() bool { return state(ana) == Active && state(ben) == Active })
		ai, _ := ana.m.Current()
		bi, _ := ben.m.Current()
		if ai.ID != bi.ID {
			t.Fatalf("run %d: two calls resulted: Ana in %s, Ben in %s", i, ai.ID, bi.ID)
		}
		if ai.Incoming == bi.Incoming {
			t.Fatalf("run %d: both sides think they were called (or both that they called)", i)
		}
		if a, b := ana.media.all(), ben.media.all(); len(a) != 1 || len(b) != 1 || a[0].p.Caller == b[0].p.Caller {
			t.Fatalf("run %d: media started %d/%d times, or with the same direction keys", i, len(a), len(b))
		}
	}
}

func TestCallSurvivesLostSessionWhileMediaFlows(t *testing.T) {
	ana, ben, n, clk := pair(t)
	ana.m.Dial(2)
	waitFor(t, "ringing", func() bool { return state(ben) == Ringing })
	ben.m.Answer(1)
	waitFor(t, "active", func() bool { return state(ana) == Active && state(ben) == Active })
	n.mu.Lock()
	n.down[1], n.down[2] = true, true // the TLS session is gone
	n.mu.Unlock()
	am, bm := ana.media.all()[0], ben.media.all()[0]
	for range 12 { // a minute with media still flowing both ways
		clk.Advance(5 * time.Second)
		for _, m := range []*fakeMedia{am, bm} {
			m.mu.Lock()
			m.last = clk.Now()
			m.mu.Unlock()
		}
	}
	if state(ana) != Active || state(ben) != Active {
		t.Fatalf("the call ended although media flowed: Ana %v, Ben %v", state(ana), state(ben))
	}
	clk.Advance(20 * time.Second) // now media stops too
	waitFor(t, "both ended", func() bool { return state(ana) == Ended && state(ben) == Ended })
	if ana.last().Reason != ReasonLost || ben.last().Reason != ReasonLost {
		t.Fatalf("reasons %q / %q, want lost on both", ana.last().Reason, ben.last().Reason)
	}
}

func TestCallBadRequestsChangeNothing(t *testing.T) {
	ana, ben, _, _ := pair(t)
	if err := ben.m.Answer(1); !errors.Is(err, ErrNotRinging) {
		t.Fatalf("answering with nothing ringing: %v", err)
	}
	if err := ana.m.Hangup(); !errors.Is(err, ErrNoCall) {
		t.Fatalf("hanging up with no call: %v", err)
	}
	ana.m.Dial(2)
	if err := ana.m.Dial(2); !errors.Is(err, ErrBusy) {
		t.Fatalf("a second call: %v", err)
	}
	waitFor(t, "ringing", func() bool { return state(ben) == Ringing })
	if err := ben.m.Answer(7); !errors.Is(err, ErrNotRinging) {
		t.Fatalf("answering another contact: %v", err)
	}
	if state(ben) != Ringing || state(ana) != Calling {
		t.Fatal("a refused request changed the call")
	}
}

func TestCallMediaFailureEndsBothSides(t *testing.T) {
	ana, ben, _, _ := pair(t)
	ben.media.fail = errors.New("no audio device")
	ana.m.Dial(2)
	waitFor(t, "ringing", func() bool { return state(ben) == Ringing })
	ben.m.Answer(1)
	waitFor(t, "both ended", func() bool { return state(ana) == Ended && state(ben) == Ended })
	if ben.last().Reason != ReasonFailed || ben.last().Error != "no audio device" {
		t.Fatalf("Ben's call ended %q (%q), want failed with the device error", ben.last().Reason, ben.last().Error)
	}
	if ana.last().Reason != ReasonRemoteHangup && ana.last().Reason != ReasonFailed {
		t.Fatalf("Ana's call ended %q", ana.last().Reason)
	}
}

func TestTenCallsInARow(t *testing.T) {
	ana, ben, _, _ := pair(t)
	for i := range 10 {
		caller, callee, calleeID, callerID := ana, ben, int64(2), int64(1)
		if i%2 == 1 {
			caller, callee, calleeID, callerID = ben, ana, 1, 2
		}
		if err := caller.m.Dial(calleeID); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		waitFor(t, "ringing", func() bool { return state(callee) == Ringing })
		if err := callee.m.Answer(callerID); err != nil {
			t.Fatalf("call %d: answer: %v", i+1, err)
		}
		waitFor(t, "active", func() bool { return state(caller) == Active && state(callee) == Active })
		caller.m.Hangup()
		waitFor(t, "ended", func() bool { return state(caller) == Ended && state(callee) == Ended })
	}
	if n := len(ana.media.all()) + len(ben.media.all()); n != 20 {
		t.Fatalf("media started %d times over 10 calls, want 20", n)
	}
	for _, m := range append(ana.media.all(), ben.media.all()...) {
		if !m.closed {
			t.Fatal("a call's media was left open")
		}
	}
}
