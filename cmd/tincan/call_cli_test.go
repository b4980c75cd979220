package main

import (
	"path/filepath"
	"strings"
	"testing"

	"tincan/core/audio"
	"tincan/core/call/quality"
)

// callJSON is the `status --json` .call object as scripts read it.
type callJSON struct {
	ID        string  `json:"id"`
	State     string  `json:"state"`
	Contact   string  `json:"contact"`
	Direction string  `json:"direction"`
	Path      string  `json:"path"`
	StartedAt *string `json:"started_at"`
	Duration  float64 `json:"duration_seconds"`
	Reason    string  `json:"reason"`
	Stats     *struct {
		Loss      float64 `json:"loss"`
		Concealed float64 `json:"concealed"`
		JitterMs  float64 `json:"jitter_buffer_ms"`
		RTTMs     float64 `json:"rtt_ms"`
		Bitrate   int     `json:"bitrate"`
		Sent      uint64  `json:"sent"`
		Received  uint64  `json:"received"`
	} `json:"stats"`
}

func callOf(t *testing.T, home string) callJSON {
	t.Helper()
	return jsonOf[struct {
		Call callJSON `json:"call"`
	}](t, ok(t, "--home", home, "status", "--json")).Call
}

// clip writes the first seconds of a speech file as a WAV of its own.
func clip(t *testing.T, src, dst string, seconds float64) []int16 {
	t.Helper()
	s, _, err := audio.ReadWAV(src)
	if err != nil {
		t.Fatal(err)
	}
	s = s[:int(seconds*audio.SampleRate)]
	if err := audio.WriteWAV(dst, s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCLICallsBetweenTwoDaemons: two real daemons on loopback, each with a
// WAV file as its microphone and another as its speaker, call each other
// twice (once each way) through the CLI contract; what each heard must be
// what the other said, found by cross-correlation.
func TestCLICallsBetweenTwoDaemons(t *testing.T) {
	root := t.TempDir()
	speech := filepath.Join("..", "..", "assets", "speech")
	inA, inB := filepath.Join(root, "a-in.wav"), filepath.Join(root, "b-in.wav")
	outA, outB := filepath.Join(root, "a-out.wav"), filepath.Join(root, "b-out.wav")
	const talk = 5.0
	saidA := clip(t, filepath.Join(speech, "speech-a.wav"), inA, talk)
	saidB := clip(t, filepath.Join(speech, "speech-b.wav"), inB, talk)

	homeA, homeB := filepath.Join(root, "ana"), filepath.Join(root, "ben")
	flags := []string{"--no-overlay", "--no-lan", "--no-portmap"}
	da := startDaemon(t, homeA, append([]string{"--name", "Ana", "--audio", "wav:" + inA + "," + outA}, flags...)...)
	db := startDaemon(t, homeB, append([]string{"--name", "Ben", "--audio", "wav:" + inB + "," + outB}, flags...)...)
	defer func() {
		if t.Failed() {
			for _, d := range []*daemon{da, db} {
				for _, line := range strings.Split(d.log.String(), "\n") {
					if strings.Contains(line, "part=call") {
						t.Log(line)
					}
				}
			}
		}
	}()
	listenA := statusOf(t, homeA).Listen
	listenB := statusOf(t, homeB).Listen
	ok(t, "--home", homeA, "contacts", "add", "Ben", strings.TrimSpace(ok(t, "--home", homeB, "id")), "--addr", listenB)
	ok(t, "--home", homeB, "contacts", "add", "Ana", strings.TrimSpace(ok(t, "--home", homeA, "id")), "--addr", listenA)

	if c := callOf(t, homeA); c.State != "idle" {
		t.Fatalf("status .call before any call is %+v, want state idle", c)
	}
	// Bad usage: exit 2, one line, nothing changes.
	for _, args := range [][]string{
		{"call", "Nobody"}, {"call"}, {"answer", "Ben"}, {"decline", "Ben"}, {"hangup"},
		{"mute", "on"}, {"mute", "loud"}, {"answer", "Nobody"},
	} {
		r := tincan(t, append([]string{"--home", homeA}, args...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "tincan: ") {
			t.Errorf("tincan %v: exit %d, stderr %q; want exit 2 and one line", args, r.code, r.stderr)
		}
	}
	if c := callOf(t, homeA); c.State != "idle" {
		t.Fatalf("bad requests changed the call: %+v", c)
	}

	type leg struct {
		caller, callee         string // homes
		callerName, calleeName string
		callerOut, calleeOut   string
		callerSaid, calleeSaid []int16
	}
	legs := []leg{
		{homeA, homeB, "Ana", "Ben", outA, outB, saidA, saidB},
		{homeB, homeA, "Ben", "Ana", outB, outA, saidB, saidA},
	}
	for i, l := range legs {
		ok(t, "--home", l.caller, "call", l.calleeName)
		waitFor(t, l.calleeName+"'s phone to ring", func() bool {
			c := callOf(t, l.callee)
			return c.State == "ringing" && c.Contact == l.callerName && c.Direction == "incoming"
		})
		if r := tincan(t, "--home", l.caller, "call", l.calleeName); r.code != 2 {
			t.Fatalf("a second call while one rings: exit %d (%s), want 2", r.code, r.stderr)
		}
		ok(t, "--home", l.callee, "answer", l.callerName)
		waitFor(t, "both sides in the call", func() bool {
			return callOf(t, l.caller).State == "active" && callOf(t, l.callee).State == "active"
		})
		// Let the whole clip play (the WAV device runs in real time).
		waitFor(t, "the speech to be carried", func() bool { return callOf(t, l.caller).Duration > talk+1 })
		c := callOf(t, l.caller)
		if c.Path != "punched-udp" || c.Stats == nil || c.Stats.Sent == 0 || c.Stats.Received == 0 || c.Stats.Bitrate < 16000 || c.StartedAt == nil {
			t.Fatalf("call %d: status .call is %+v (stats %+v), want a UDP path and live figures", i+1, c, c.Stats)
		}
		ok(t, "--home", l.caller, "hangup")
		waitFor(t, "both sides idle", func() bool {
			return callOf(t, l.caller).State == "idle" && callOf(t, l.callee).State == "idle"
		})
		for _, dir := range []struct {
			what  string
			said  []int16
			heard string
		}{{l.callerName + " -> " + l.calleeName, l.callerSaid, l.calleeOut}, {l.calleeName + " -> " + l.callerName, l.calleeSaid, l.callerOut}} {
			heard, _, err := audio.ReadWAV(dir.heard)
			if err != nil {
				t.Fatalf("call %d, %s: %v", i+1, dir.what, err)
			}
			// Quality is measured by make bench-call; here the test is that
			// the speech arrived, in order, at a sane delay: most of its
			// half-second windows are found in what was heard, even if the
			// delay moved a little on a loaded machine.
			r := quality.Compare(dir.said, heard)
			carried := quality.CarriedShare(dir.said, heard, r.Lag, audio.SampleRate/4, 0.5)
			t.Logf("call %d, %s: %s, %.0f%% of the speech carried", i+1, dir.what, r, carried*100)
			if r.Lag < 0 || r.Lag > audio.SampleRate/2 || carried < 0.8 {
				t.Errorf("call %d, %s: what was heard does not match what was said: %s, %.0f%% carried", i+1, dir.what, r, carried*100)
			}
		}
	}
	// Each side's conversation has a line per call.
	for _, h := range []struct{ home, peer string }{{homeA, "Ben"}, {homeB, "Ana"}} {
		hist := jsonOf[[]map[string]any](t, ok(t, "--home", h.home, "history", h.peer, "--json"))
		n := 0
		for _, m := range hist {
			if m["kind"] == "call" && strings.HasPrefix(m["text"].(string), "Call, 0:0") {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%s's history with %s has %d call lines, want 2: %v", h.home, h.peer, n, hist)
		}
	}
}
