package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tincan/core/audio"
)

// testLog is a progress writer that logs each line with the time since
// the start.
type testLog struct {
	t     *testing.T
	start time.Time
}

func (l testLog) Write(b []byte) (int, error) {
	l.t.Logf("%6.1fs %s", time.Since(l.start).Seconds(), strings.TrimSpace(string(b)))
	return len(b), nil
}

// trimmed writes the first 3 s of a speech WAV into dir.
func trimmed(t *testing.T, dir, name string) string {
	t.Helper()
	s, _, err := audio.ReadWAV(filepath.Join("..", "..", "assets", "speech", name))
	if err != nil {
		t.Fatalf("reading the speech WAV %s: %v", name, err)
	}
	s = s[:min(len(s), 3*audio.SampleRate)]
	p := filepath.Join(dir, name)
	if err := audio.WriteWAV(p, s); err != nil {
		t.Fatalf("writing the trimmed speech: %v", err)
	}
	return p
}

// TestQuickBenchmarkCarriesSpeech runs the benchmark's quick mode on 3 s
// of speech: the real pipeline through the proxy must carry both voices
// recognisably and with a plausible delay, and the table must print.
func TestQuickBenchmarkCarriesSpeech(t *testing.T) {
	dir := t.TempDir()
	o := defaultOptions()
	o.Quick, o.NoEcho, o.Idle, o.Dir = true, true, 200*time.Millisecond, dir
	o.Lead, o.Tail = 600*time.Millisecond, 500*time.Millisecond
	o.Progress = testLog{t, time.Now()}
	o.SpeechA, o.SpeechB = trimmed(t, dir, "speech-a.wav"), trimmed(t, dir, "speech-b.wav")
	res, err := run(o)
	if err != nil {
		t.Fatalf("the quick benchmark did not run: %v", err)
	}
	if len(res.Tincan) != 2 || len(res.ToxAV) != 2 || len(res.Ceiling) != 2 {
		t.Fatalf("the quick benchmark measured %d, %d and %d conditions for tincan, the anchor and the ceiling, want 2 each",
			len(res.Tincan), len(res.ToxAV), len(res.Ceiling))
	}
	for _, m := range []struct {
		name  string
		calls [][]callResult
	}{{"tincan", res.Tincan}, {"the ToxAV-style anchor", res.ToxAV}} {
		c := m.calls[0][0]
		for d, dr := range c.Dir {
			if dr.Report.STOI < 0.6 {
				t.Errorf("at 0%% loss %s carried direction %d with a STOI of only %.3f", m.name, d, dr.Report.STOI)
			}
			if dr.Delay <= 0 || dr.Delay > 300*time.Millisecond {
				t.Errorf("at 0%% loss %s delayed direction %d by %v, outside 0..300 ms", m.name, d, dr.Delay)
			}
			if dr.Final.Path != "punched-udp" {
				t.Errorf("%s's direction %d went over %q, not over UDP through the proxy", m.name, d, dr.Final.Path)
			}
		}
	}
	if lag := res.Loop.Lag[0]; lag <= 0 || lag > 200*time.Millisecond {
		t.Errorf("the device-only loop measured a lag of %v, outside 0..200 ms", lag)
	}
	for ci, cl := range res.Ceiling {
		if s := (cl.Dir[0].STOI + cl.Dir[1].STOI) / 2; s < 0.9 {
			t.Errorf("Opus alone at %d b/s scored a STOI of %.3f in column %d, want above 0.9", cl.Bitrate, s, ci)
		}
	}

	var b strings.Builder
	printReport(&b, o, res)
	out := b.String()
	for _, want := range []string{"| row | 0% loss | 5% loss |", "pipeline one-way delay", "frames concealed / recovered by FEC",
		"Opus alone", "ToxAV's method", "CPU per call", "echo: ERLE", "not run (-quick)", "Settings and method:"} {
		if !strings.Contains(out, want) {
			t.Errorf("the printed report lacks %q:\n%s", want, out)
		}
	}
	t.Log("\n" + out)
}
