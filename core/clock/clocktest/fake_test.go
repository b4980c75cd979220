package clocktest

import (
	"context"
	"testing"
	"time"
)

func TestFakeRunsDueTimersInOrderAndWaitsForTimers(t *testing.T) {
	t0 := time.Unix(1000, 0)
	c := New(t0)
	var fired []int
	c.AfterFunc(3*time.Second, func() { fired = append(fired, 3) })
	c.AfterFunc(time.Second, func() { fired = append(fired, 1) })
	stopped := c.AfterFunc(2*time.Second, func() { fired = append(fired, 2) })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop should report true once, then false")
	}
	if d := c.Deadlines(); len(d) != 2 || !d[0].Equal(t0.Add(time.Second)) || !d[1].Equal(t0.Add(3*time.Second)) {
		t.Fatalf("deadlines %v, want 1 s and 3 s after the start", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c.WaitForTimers(ctx, 0); err == nil {
		t.Fatal("WaitForTimers(0) returned with two timers pending")
	}
	c.Advance(time.Second)
	if len(fired) != 1 || fired[0] != 1 || c.Pending() != 1 {
		t.Fatalf("after 1 s fired %v with %d pending; want [1] and 1", fired, c.Pending())
	}
	done := make(chan error, 1)
	go func() { done <- c.WaitForTimers(context.Background(), 2) }()
	c.AfterFunc(time.Minute, func() {})
	if err := <-done; err != nil {
		t.Fatalf("waiting for a timer armed later: %v", err)
	}
	c.Advance(2 * time.Second)
	if len(fired) != 2 || fired[1] != 3 || !c.Now().Equal(t0.Add(3*time.Second)) {
		t.Fatalf("fired %v at %v", fired, c.Now())
	}
}
