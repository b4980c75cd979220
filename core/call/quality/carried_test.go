package quality

import (
	"math/rand/v2"
	"testing"
)

func TestCarriedShareForgivesAMovingDelay(t *testing.T) {
	ref := excerpt(t)
	// deg: the speech 100 ms late, then 60 ms later still from 3 s on (a
	// jitter buffer that grew), with a little noise.
	r := rand.New(rand.NewPCG(1, 2))
	deg := make([]int16, len(ref)+SampleRate)
	for i, v := range ref {
		j := i + SampleRate/10
		if i >= 3*SampleRate {
			j += 3 * SampleRate / 50
		}
		deg[j] = v + int16(r.IntN(200)-100)
	}
	lag, _ := Align(ref, deg, SampleRate)
	if s := CarriedShare(ref, deg, lag, SampleRate/4, 0.5); s < 0.95 {
		t.Fatalf("a copy whose delay moved by 60 ms counts as %.2f carried, want nearly all", s)
	}
	other := make([]int16, len(deg))
	for i := range other {
		other[i] = int16(r.IntN(8000) - 4000)
	}
	if s := CarriedShare(ref, other, lag, SampleRate/4, 0.5); s > 0.05 {
		t.Fatalf("noise counts as %.2f carried, want none", s)
	}
	if s := CarriedShare(ref, make([]int16, len(deg)), lag, SampleRate/4, 0.5); s != 0 {
		t.Fatalf("silence counts as %.2f carried", s)
	}
}
