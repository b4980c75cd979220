package node

import (
	"sync"
	"testing"
)

func TestQueueKeepsOrderAndNeverBlocksPush(t *testing.T) {
	q := newQueue[int]()
	const n = 10000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			q.push(i) // no reader yet for most of these: must not block
		}
		q.close()
	}()
	wg.Wait()
	for i := range n {
		v, ok := q.pop(nil)
		if !ok || v != i {
			t.Fatalf("pop %d = %d, %v", i, v, ok)
		}
	}
	if _, ok := q.pop(nil); ok {
		t.Fatal("pop after close and drain returned an item")
	}
	q.push(1)
	if _, ok := q.pop(nil); ok {
		t.Fatal("push after close was kept")
	}
}

func TestQueuePopStopsOnDone(t *testing.T) {
	q := newQueue[int]()
	done := make(chan struct{})
	res := make(chan bool)
	go func() {
		_, ok := q.pop(done)
		res <- ok
	}()
	close(done)
	if <-res {
		t.Fatal("pop returned an item from an empty queue")
	}
}

func TestSubscribersEachGetEveryEventInOrder(t *testing.T) {
	var s subscribers
	a, stopA := s.add()
	b, stopB := s.add()
	defer stopB()
	for i := range 100 {
		s.publish(Event{Contacts: i%2 == 0})
	}
	for _, ch := range []<-chan Event{a, b} {
		for i := range 100 {
			ev := <-ch
			if ev.Contacts != (i%2 == 0) {
				t.Fatalf("event %d out of order", i)
			}
		}
	}
	stopA()
	if _, ok := <-a; ok {
		t.Fatal("channel open after unsubscribe")
	}
	s.closeAll()
	if _, ok := <-b; ok {
		t.Fatal("channel open after closeAll")
	}
	c, _ := s.add()
	if _, ok := <-c; ok {
		t.Fatal("subscription after closeAll is open")
	}
}
