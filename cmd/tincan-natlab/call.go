//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"tincan/core/audio"
	"tincan/core/call/quality"
	"tincan/natlab"
)

// The call phase: after the chat pairs, two of those pairs call each other
// with real daemons and WAV devices, and what each side heard must be what
// the other said (issue 10's lab tests).
const (
	talk        = 5 * time.Second        // the speech each side plays per call
	tail        = time.Second            // played past the speech, for the delay to drain
	ringWithin  = 20 * time.Second       // the offer may wait for a session (the node redials)
	activeIn    = 25 * time.Second       // from the call to both active (the manager fails at 20 s after the answer)
	idleWithin  = 10 * time.Second       // from the hangup to both idle
	callPoll    = 100 * time.Millisecond // how often both sides' status is read while waiting
	minCarried  = 0.8                    // share of the speech's windows that must be heard
	minCorr     = 0.5                    // correlation that counts a window as heard
	searchAlign = audio.SampleRate / 4   // each window is looked for ±250 ms around the overall lag
	maxLag      = audio.SampleRate       // more than a second of delay is not a call
)

// voice is a speech clip that lab daemons play as their microphone.
type voice struct {
	path string
	said []int16
}

// makeVoices writes the first talk of speech-a and speech-b into dir.
func makeVoices(speechDir, dir string) ([2]voice, error) {
	var vs [2]voice
	for i, name := range []string{"speech-a", "speech-b"} {
		s, rate, err := audio.ReadWAV(filepath.Join(speechDir, name+".wav"))
		if err != nil {
			return vs, fmt.Errorf("speech for the calls: %w", err)
		}
		n := int(talk.Seconds() * audio.SampleRate)
		if rate != audio.SampleRate || len(s) < n {
			return vs, fmt.Errorf("speech for the calls: %s is %d Hz and %d samples, want %d Hz and at least %d", name, rate, len(s), audio.SampleRate, n)
		}
		vs[i] = voice{path: filepath.Join(dir, name+"-clip.wav"), said: s[:n]}
		if err := audio.WriteWAV(vs[i].path, vs[i].said); err != nil {
			return vs, fmt.Errorf("speech for the calls: %w", err)
		}
	}
	return vs, nil
}

// voiceOf is the clip a site plays: speech-a for a kind's first site,
// speech-b for the others, so that the two sides of every pair differ.
func voiceOf(lab *natlab.Lab, vs [2]voice, s *natlab.Site) voice {
	if same := lab.SitesOf(s.Kind); len(same) > 0 && same[0] == s {
		return vs[0]
	}
	return vs[1]
}

// callPair is one call the lab places, and the media path it must take.
type callPair struct {
	caller, callee *node
	want           string
}

// pickCalls chooses the calls among the chat pairs (their contacts exist):
// port-restricted with port-restricted, the home case of UDP punching, must
// punch; symmetric with port-restricted cannot, and its media must ride the
// relayed session (the symmetric side calls). Kinds not in the lab are
// reported and left out.
func pickCalls(pairs [][2]*node, stdout io.Writer) []callPair {
	find := func(x, y natlab.Kind) (*node, *node) {
		for _, p := range pairs {
			switch {
			case p[0].site.Kind == x && p[1].site.Kind == y:
				return p[0], p[1]
			case p[0].site.Kind == y && p[1].site.Kind == x:
				return p[1], p[0]
			}
		}
		return nil, nil
	}
	var out []callPair
	for _, w := range []struct {
		x, y natlab.Kind
		want string
	}{
		{natlab.PortRestricted, natlab.PortRestricted, "punched-udp"},
		{natlab.SymmetricRandom, natlab.PortRestricted, "relay"},
	} {
		a, b := find(w.x, w.y)
		if a == nil {
			fmt.Fprintf(stdout, "no %s x %s pair in this lab's kinds: that call is left out\n", w.x, w.y)
			continue
		}
		out = append(out, callPair{caller: a, callee: b, want: w.want})
	}
	return out
}

// runCalls places the calls one after another (they share nodes) and
// prints each one's lines as it ends.
func runCalls(ctx context.Context, calls []callPair, stdout io.Writer) []callResult {
	start := time.Now()
	defer func() { fmt.Fprintf(stdout, "%d calls took %v\n", len(calls), since(start)) }()
	var out []callResult
	for _, cp := range calls {
		r := runCall(ctx, cp)
		writeCallDetails(stdout, r)
		out = append(out, r)
	}
	return out
}

// runCall places one call through the CLI: the caller calls, the callee
// answers once it rings, both talk for the clip's length, the caller hangs
// up; then both directions are checked by cross-correlation.
func runCall(ctx context.Context, cp callPair) (r callResult) {
	a, b := cp.caller, cp.callee
	r = callResult{Caller: a.site.Name, Callee: b.site.Name, KindA: a.site.Kind, KindB: b.site.Kind, Want: cp.want}
	marks := [2]int64{a.logSize(), b.logSize()}
	defer func() {
		if len(r.failures()) > 0 {
			r.Logs = map[string][]string{a.site.Name: a.callLog(marks[0]), b.site.Name: b.callLog(marks[1])}
		}
	}()
	if err := settle(ctx, a, b, "idle before the call", idleWithin, func(va, vb callView) (bool, error) {
		return va.State == "idle" && vb.State == "idle", nil
	}); err != nil {
		r.Err = err.Error()
		return r
	}
	t0 := time.Now()
	if err := a.cli(ctx, nil, "call", b.site.Name); err != nil {
		r.Err = err.Error()
		return r
	}
	if err := settle(ctx, a, b, b.site.Name+" ringing", ringWithin, func(va, vb callView) (bool, error) {
		if err := ended(a, va); err != nil {
			return false, err
		}
		return vb.State == "ringing" && vb.Contact == a.site.Name && vb.Direction == "incoming", nil
	}); err != nil {
		r.Err = err.Error()
		return r
	}
	r.Ring = time.Since(t0)
	if err := b.cli(ctx, nil, "answer", a.site.Name); err != nil {
		r.Err = err.Error()
		return r
	}
	if err := settle(ctx, a, b, "both active", activeIn, func(va, vb callView) (bool, error) {
		if err := firstErr(ended(a, va), ended(b, vb)); err != nil {
			return false, err
		}
		return va.State == "active" && vb.State == "active", nil
	}); err != nil {
		r.Err = err.Error()
		return r
	}
	r.Active = time.Since(t0)
	// The one real-time wait: the clips play out, and the delay drains. The
	// punch has settled by then (it gives up after 5 s).
	err := settle(ctx, a, b, "the speech played", talk+tail+10*time.Second, func(va, vb callView) (bool, error) {
		if err := firstErr(notActive(a, va), notActive(b, vb)); err != nil {
			return false, err
		}
		if r.UDP == 0 && va.Path == "punched-udp" && vb.Path == "punched-udp" {
			r.UDP = time.Since(t0)
		}
		r.PathA, r.PathB, r.Relay, r.RemoteA, r.RemoteB = va.Path, vb.Path, va.Relay, va.Remote, vb.Remote
		if va.Stats != nil && vb.Stats != nil {
			r.SentA, r.ReceivedA, r.SentB, r.ReceivedB = va.Stats.Sent, va.Stats.Received, vb.Stats.Sent, vb.Stats.Received
		}
		done := time.Duration(min(va.Duration, vb.Duration) * float64(time.Second))
		return done >= talk+tail, nil
	})
	if err != nil {
		r.Err = err.Error()
	}
	if herr := a.cli(ctx, nil, "hangup"); herr != nil && r.Err == "" {
		r.Err = herr.Error()
	}
	if ierr := settle(ctx, a, b, "both idle after the hangup", idleWithin, func(va, vb callView) (bool, error) {
		return va.State == "idle" && vb.State == "idle", nil
	}); ierr != nil && r.Err == "" {
		r.Err = ierr.Error()
	}
	if r.Err != "" {
		return r
	}
	r.AB = heard(a.said, b.heard)
	r.BA = heard(b.said, a.heard)
	return r
}

// heard checks one direction: where said is found in the WAV the other side
// wrote, how well, and how much of it was carried.
func heard(said []int16, out string) callDir {
	got, _, err := audio.ReadWAV(out)
	if err != nil {
		return callDir{Err: err.Error()}
	}
	rep := quality.Compare(said, got)
	return callDir{Report: rep, Carried: quality.CarriedShare(said, got, rep.Lag, searchAlign, minCorr)}
}

// settle polls both sides' call until done says so, done fails, a daemon
// exits, or d passes; the error names what was awaited and the last states.
func settle(ctx context.Context, a, b *node, what string, d time.Duration, done func(va, vb callView) (bool, error)) error {
	deadline := time.Now().Add(d)
	var va, vb callView
	var last error
	for {
		if err := firstErr(a.alive(), b.alive()); err != nil {
			return err
		}
		var ea, eb error
		va, ea = a.call(ctx)
		vb, eb = b.call(ctx)
		if last = firstErr(ea, eb); last == nil {
			ok, err := done(va, vb)
			if err != nil {
				return fmt.Errorf("waiting for %s: %w", what, err)
			}
			if ok {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no %s within %v: %s is %s, %s is %s (%v)", what, d, a.site.Name, va, b.site.Name, vb, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(callPoll):
		}
	}
}

// errCallEnded means a call ended while the lab waited for it to progress.
var errCallEnded = errors.New("the call ended")

// ended reports a call that ended or vanished before it was answered.
func ended(n *node, v callView) error {
	if v.State == "ended" || v.State == "idle" {
		return fmt.Errorf("%w at %s: %s", errCallEnded, n.site.Name, v)
	}
	return nil
}

// notActive reports a call that stopped during the speech.
func notActive(n *node, v callView) error {
	if v.State != "active" {
		return fmt.Errorf("%w at %s during the speech: %s", errCallEnded, n.site.Name, v)
	}
	return nil
}

// String is a call's state in one phrase, for errors.
func (v callView) String() string {
	s := orDash(v.State)
	if v.Path != "" {
		s += " on " + v.Path
	}
	if v.Reason != "" {
		s += " (" + v.Reason
		if v.Error != "" {
			s += ": " + v.Error
		}
		s += ")"
	}
	return s
}
