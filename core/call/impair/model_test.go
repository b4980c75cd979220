package impair

import (
	"math"
	"testing"
	"time"
)

// draw runs n datagrams through a model, arriving 1 ms apart, and returns
// which were lost and the delays of the others.
func draw(im Impairment, seed uint64, n int) (lost []bool, delays []time.Duration) {
	m := newModel(im, seed, 1)
	t0 := time.Unix(1e9, 0)
	lost = make([]bool, n)
	for i := range n {
		now := t0.Add(time.Duration(i) * time.Millisecond)
		at, l := m.next(now)
		lost[i] = l
		if !l {
			delays = append(delays, at.Sub(now))
		}
	}
	return lost, delays
}

// meanStd returns the mean and standard deviation of ds in milliseconds.
func meanStd(ds []time.Duration) (mean, std float64) {
	for _, d := range ds {
		mean += d.Seconds() * 1000
	}
	mean /= float64(len(ds))
	for _, d := range ds {
		x := d.Seconds()*1000 - mean
		std += x * x
	}
	return mean, math.Sqrt(std / float64(len(ds)))
}

// bursts returns the loss rate and the mean length of runs of losses.
func bursts(lost []bool) (rate, meanRun float64) {
	losses, runs := 0, 0
	for i, l := range lost {
		if l {
			losses++
			if i == 0 || !lost[i-1] {
				runs++
			}
		}
	}
	return float64(losses) / float64(len(lost)), float64(losses) / float64(max(runs, 1))
}

func TestModelLosesAtTheConfiguredRate(t *testing.T) {
	for _, p := range []float64{0, 0.05, 0.15, 1} {
		lost, _ := draw(Impairment{Loss: p}, 1, 100000)
		rate, run := bursts(lost)
		if math.Abs(rate-p) > 0.005 {
			t.Errorf("a loss probability of %.2f loses %.4f of 100,000 datagrams", p, rate)
		}
		// Independent losses come in runs of 1/(1-p) on average.
		if p > 0 && p < 1 && math.Abs(run-1/(1-p)) > 0.02 {
			t.Errorf("independent loss at %.2f has runs of %.3f on average instead of %.3f", p, run, 1/(1-p))
		}
	}
}

func TestModelGilbertElliottMakesBursts(t *testing.T) {
	for _, c := range []struct{ rate, burst float64 }{{0.05, 3}, {0.15, 5}} {
		lost, _ := draw(Impairment{Burst: BurstLoss(c.rate, c.burst)}, 2, 200000)
		rate, run := bursts(lost)
		if math.Abs(rate-c.rate) > 0.01 {
			t.Errorf("burst loss set to %.2f loses %.4f of 200,000 datagrams", c.rate, rate)
		}
		if math.Abs(run-c.burst) > 0.2 {
			t.Errorf("burst loss with a mean burst of %.0f gives bursts of %.2f on average", c.burst, run)
		}
	}
}

func TestModelJitterHasTheConfiguredShape(t *testing.T) {
	const delay, jitter = 40 * time.Millisecond, 10 * time.Millisecond
	_, ds := draw(Impairment{Delay: delay, Jitter: jitter, Reorder: true}, 3, 100000)
	mean, std := meanStd(ds)
	lo, hi := ds[0], ds[0]
	for _, d := range ds {
		lo, hi = min(lo, d), max(hi, d)
	}
	if math.Abs(mean-40) > 0.1 || math.Abs(std-10/math.Sqrt(3)) > 0.1 || lo < delay-jitter || hi > delay+jitter || hi-lo < 19*time.Millisecond {
		t.Errorf("uniform jitter of 10 ms around 40 ms gives delays of mean %.2f ms, deviation %.2f ms, from %v to %v", mean, std, lo, hi)
	}
	_, ds = draw(Impairment{Delay: 100 * time.Millisecond, Jitter: jitter, Dist: Normal, Reorder: true}, 3, 100000)
	mean, std = meanStd(ds)
	if math.Abs(mean-100) > 0.1 || math.Abs(std-10) > 0.1 {
		t.Errorf("normal jitter of 10 ms around 100 ms gives delays of mean %.2f ms, deviation %.2f ms", mean, std)
	}
	_, ds = draw(Impairment{Delay: 5 * time.Millisecond, Jitter: 30 * time.Millisecond, Reorder: true}, 3, 10000)
	for _, d := range ds {
		if d < 0 {
			t.Fatalf("a jittered delay came out negative: %v", d)
		}
	}
}

func TestModelWithoutReorderKeepsOrder(t *testing.T) {
	im := Impairment{Delay: 30 * time.Millisecond, Jitter: 30 * time.Millisecond}
	for _, reorder := range []bool{false, true} {
		im.Reorder = reorder
		m := newModel(im, 4, 1)
		t0 := time.Unix(1e9, 0)
		var last time.Time
		overtaken := 0
		for i := range 1000 {
			at, _ := m.next(t0.Add(time.Duration(i) * time.Millisecond))
			if at.Before(last) {
				overtaken++
			}
			last = at
		}
		if !reorder && overtaken != 0 {
			t.Errorf("without reordering, %d of 1,000 datagrams are scheduled before the one ahead of them", overtaken)
		}
		if reorder && overtaken < 100 {
			t.Errorf("with reordering and ±30 ms of jitter on 1 ms spacing, only %d of 1,000 datagrams overtake", overtaken)
		}
	}
}

func TestModelIsReproducible(t *testing.T) {
	im := Impairment{Delay: 20 * time.Millisecond, Jitter: 15 * time.Millisecond, Loss: 0.1, Burst: BurstLoss(0.05, 3)}
	l1, d1 := draw(im, 42, 5000)
	l2, d2 := draw(im, 42, 5000)
	l3, _ := draw(im, 43, 5000)
	same := func(a, b []bool) bool {
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	if !same(l1, l2) || len(d1) != len(d2) {
		t.Fatal("the same seed gives different losses")
	}
	for i := range d1 {
		if d1[i] != d2[i] {
			t.Fatalf("the same seed gives different delays at datagram %d: %v and %v", i, d1[i], d2[i])
		}
	}
	if same(l1, l3) {
		t.Error("different seeds give the same 5,000 losses")
	}
}

func TestValidateRefusesNonsense(t *testing.T) {
	bad := map[string]Impairment{
		"negative delay":    {Delay: -time.Millisecond},
		"negative jitter":   {Jitter: -time.Millisecond},
		"unknown shape":     {Dist: 7},
		"loss above 1":      {Loss: 1.5},
		"NaN loss":          {Loss: math.NaN()},
		"bad burst chain":   {Burst: &GilbertElliott{GoodToBad: -0.1}},
		"burst of under 1":  {Burst: BurstLoss(0.1, 0.5)},
		"burst at all loss": {Burst: BurstLoss(1, 3)},
	}
	for name, im := range bad {
		if err := im.validate(); err == nil {
			t.Errorf("an impairment with %s is accepted", name)
		}
	}
	if err := (Impairment{Delay: time.Second, Jitter: time.Second, Dist: Normal, Loss: 1, Burst: BurstLoss(0.2, 4)}).validate(); err != nil {
		t.Errorf("a sound impairment is refused: %v", err)
	}
}
