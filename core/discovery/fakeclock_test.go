package discovery

import (
	"context"
	"testing"
	"time"
)

func TestFakeClock(t *testing.T) {
	c := NewFakeClock(t0)
	a := c.NewTimer(time.Second)
	b := c.NewTimer(3 * time.Second)
	stopped := c.NewTimer(2 * time.Second)
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop should report true once, then false")
	}
	if p := c.Pending(); len(p) != 2 || !p[0].Equal(t0.Add(time.Second)) {
		t.Fatalf("pending = %v", p)
	}
	c.Advance(time.Second)
	select {
	case got := <-a.C():
		if !got.Equal(t0.Add(time.Second)) {
			t.Fatalf("fired at %v", got)
		}
	default:
		t.Fatal("due timer did not fire")
	}
	select {
	case <-b.C():
		t.Fatal("timer fired early")
	case <-stopped.C():
		t.Fatal("stopped timer fired")
	default:
	}
	if a.Stop() {
		t.Fatal("Stop of a fired timer reported true")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c.WaitForTimers(ctx, 0); err == nil {
		t.Fatal("WaitForTimers(0) returned with a timer pending")
	}
	c.Advance(2 * time.Second)
	<-b.C()
	if err := c.WaitForTimers(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if z := c.NewTimer(0); len(c.Pending()) != 0 {
		t.Fatal("zero timer pending")
	} else {
		<-z.C()
	}
	if !c.Now().Equal(t0.Add(3 * time.Second)) {
		t.Fatalf("now = %v", c.Now())
	}
}
