package rate

import (
	"testing"
	"time"
)

// run is a Controller fed reports once a second from a fixed start.
type run struct {
	t   *testing.T
	c   *Controller
	now time.Time
}

func newRun(t *testing.T, c Config) *run {
	return &run{t: t, c: New(c), now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// feed feeds rep every second for d and returns the last decision, checking
// every decision against the package's invariants on the way.
func (r *run) feed(rep Report, d time.Duration) Decision {
	r.t.Helper()
	var dec Decision
	for end := r.now.Add(d); r.now.Before(end); {
		r.now = r.now.Add(time.Second)
		dec = r.c.Update(rep, r.now)
		checkDecision(r.t, dec)
	}
	return dec
}

// checkDecision fails the test if d leaves the ranges the package promises.
func checkDecision(t testing.TB, d Decision) {
	t.Helper()
	if d.Bitrate < MinBitrate || d.Bitrate > MaxBitrate {
		t.Fatalf("the bitrate %d b/s is outside %d..%d", d.Bitrate, MinBitrate, MaxBitrate)
	}
	if d.LossPercent < 0 || d.LossPercent > MaxLossPercent {
		t.Fatalf("the loss percent %d is outside 0..%d", d.LossPercent, MaxLossPercent)
	}
	if d.LossPercent > 0 && !FECWorks(d.Bitrate, d.LossPercent) {
		t.Fatalf("the decision %+v asks for FEC where libopus puts none", d)
	}
}

var clean = Report{RTT: 50 * time.Millisecond, Jitter: 5 * time.Millisecond}

func lossy(f float64) Report { r := clean; r.LossFraction = f; return r }

func TestCleanPathClimbsToMax(t *testing.T) {
	r := newRun(t, Config{})
	if d := r.c.Decision(); d.Bitrate != StartBitrate || d.LossPercent != 0 {
		t.Fatalf("a new controller decides %+v, want %d b/s and no FEC", d, StartBitrate)
	}
	d := r.feed(clean, 4*time.Second)
	if d.Bitrate <= StartBitrate || d.Bitrate >= MaxBitrate {
		t.Errorf("after 4 clean seconds the bitrate is %d, want it climbing between %d and %d", d.Bitrate, StartBitrate, MaxBitrate)
	}
	d = r.feed(clean, 6*time.Second)
	if d.Bitrate != MaxBitrate || d.LossPercent != 0 {
		t.Errorf("after 10 clean seconds the decision is %+v, want %d b/s and no FEC", d, MaxBitrate)
	}
}

func TestModerateLossKeepsFEC(t *testing.T) {
	for _, start := range []int{MaxBitrate, StartBitrate, MinBitrate} {
		r := newRun(t, Config{Bitrate: start})
		d := r.feed(lossy(0.05), 20*time.Second)
		if d.LossPercent < 5 {
			t.Errorf("from %d b/s, 5%% loss for 20 s gives loss percent %d, want 5 or more", start, d.LossPercent)
		}
		if !FECWorks(d.Bitrate, d.LossPercent) {
			t.Errorf("from %d b/s, 5%% loss for 20 s gives %+v, where libopus adds no FEC", start, d)
		}
		if d.Bitrate > start && start >= FECMinBitrate {
			t.Errorf("from %d b/s, 5%% loss raised the bitrate to %d", start, d.Bitrate)
		}
	}
}

func TestHeavyLossDropsThenRecoversSlowly(t *testing.T) {
	r := newRun(t, Config{Bitrate: MaxBitrate})
	d := r.feed(lossy(0.30), 2*time.Second)
	if d.Bitrate >= MaxBitrate*8/10 {
		t.Errorf("2 s of 30%% loss left the bitrate at %d, want a fast cut below %d", d.Bitrate, MaxBitrate*8/10)
	}
	d = r.feed(lossy(0.30), 10*time.Second)
	if d.Bitrate != FECMinBitrate || d.LossPercent != MaxLossPercent {
		t.Errorf("12 s of 30%% loss give %+v, want the lowest bitrate with FEC (%d) and %d%%", d, FECMinBitrate, MaxLossPercent)
	}

	d = r.feed(clean, 2*time.Second)
	if d.Bitrate != FECMinBitrate {
		t.Errorf("2 clean seconds after heavy loss moved the bitrate to %d, want it held at %d", d.Bitrate, FECMinBitrate)
	}
	if d.LossPercent < MinRecentLossPerc {
		t.Errorf("2 clean seconds after heavy loss the loss percent is %d, want FEC kept on", d.LossPercent)
	}
	d = r.feed(clean, 13*time.Second)
	if d.Bitrate > FECMinBitrate+15*increaseSlow || d.Bitrate <= FECMinBitrate {
		t.Errorf("15 clean seconds after heavy loss the bitrate is %d, want a slow climb above %d", d.Bitrate, FECMinBitrate)
	}
	d = r.feed(clean, 30*time.Second)
	if d.LossPercent != 0 {
		t.Errorf("45 clean seconds after loss the loss percent is still %d", d.LossPercent)
	}
	d = r.feed(clean, 20*time.Second)
	if d.Bitrate != MaxBitrate {
		t.Errorf("65 clean seconds after heavy loss the bitrate is %d, want %d", d.Bitrate, MaxBitrate)
	}
}

func TestRTTSpikeLowers(t *testing.T) {
	r := newRun(t, Config{Bitrate: MaxBitrate})
	r.feed(clean, 20*time.Second)
	spike := clean
	spike.RTT = 300 * time.Millisecond
	d := r.feed(spike, time.Second)
	if d.Bitrate > MaxBitrate*9/10 {
		t.Errorf("an RTT spike from 50 to 300 ms left the bitrate at %d", d.Bitrate)
	}
	held := r.feed(spike, 5*time.Second)
	if held.Bitrate > d.Bitrate {
		t.Errorf("while the RTT stayed raised the bitrate climbed from %d to %d", d.Bitrate, held.Bitrate)
	}
	if held.LossPercent != 0 {
		t.Errorf("delay alone turned FEC on (%d%%)", held.LossPercent)
	}
	back := r.feed(clean, 10*time.Second)
	if back.Bitrate <= held.Bitrate {
		t.Errorf("10 s after the RTT came back the bitrate is %d, not above %d", back.Bitrate, held.Bitrate)
	}

	// A slow drift within the jitter is not congestion.
	r = newRun(t, Config{Bitrate: MaxBitrate})
	for i := range 20 {
		rep := clean
		rep.RTT = clean.RTT + time.Duration(i)*2*time.Millisecond
		if d := r.feed(rep, time.Second); d.Bitrate != MaxBitrate {
			t.Fatalf("an RTT drifting up 2 ms a second cut the bitrate to %d at %d ms", d.Bitrate, rep.RTT.Milliseconds())
		}
	}
}

// TestDelayAloneReachesMin checks that only delay takes the bitrate to the
// very bottom, and that loss then lifts it to where FEC works.
func TestDelayAloneReachesMin(t *testing.T) {
	r := newRun(t, Config{})
	rep := clean
	var d Decision
	for range 30 {
		rep.RTT += 100 * time.Millisecond
		d = r.feed(rep, time.Second)
	}
	if d.Bitrate != MinBitrate {
		t.Errorf("an RTT climbing 100 ms a second for 30 s leaves the bitrate at %d, want %d", d.Bitrate, MinBitrate)
	}
	rep.LossFraction = 0.01
	if d = r.feed(rep, time.Second); d.Bitrate != FECMinBitrate || d.LossPercent != FECNarrowLoss {
		t.Errorf("1%% loss at the bottom gives %+v, want %d b/s and %d%% so that FEC works", d, FECMinBitrate, FECNarrowLoss)
	}
}

func TestLossPercentRoundsUp(t *testing.T) {
	for _, c := range []struct {
		loss float64
		want int
	}{{0.001, MinRecentLossPerc}, {0.05, 5}, {0.051, 6}, {0.08, 8}, {0.5, MaxLossPercent}} {
		r := newRun(t, Config{Bitrate: MaxBitrate})
		if d := r.feed(lossy(c.loss), time.Second); d.LossPercent != c.want && !(d.Bitrate < FECFullBandMin && d.LossPercent == max(c.want, FECNarrowLoss)) {
			t.Errorf("loss %.3f gives loss percent %d at %d b/s, want %d", c.loss, d.LossPercent, d.Bitrate, c.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := newRun(t, Config{}), newRun(t, Config{})
	for i := range 50 {
		rep := Report{LossFraction: float64(i%7) / 20, RTT: time.Duration(40+i*i%90) * time.Millisecond, Jitter: time.Duration(i%5) * time.Millisecond}
		if da, db := a.feed(rep, time.Second), b.feed(rep, time.Second); da != db {
			t.Fatalf("report %d: two controllers fed the same decide %+v and %+v", i, da, db)
		}
	}
}
