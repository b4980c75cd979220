package node

import "sync"

// queue is an unbounded FIFO: Push never blocks, so the network side is never
// held up by a slow reader; Pop blocks until an item or close.
type queue[T any] struct {
	mu     sync.Mutex
	items  []T
	ready  chan struct{} // has one token while items is non-empty or closed
	closed bool
}

func newQueue[T any]() *queue[T] {
	return &queue[T]{ready: make(chan struct{}, 1)}
}

// push appends v; it is dropped once the queue is closed.
func (q *queue[T]) push(v T) {
	q.mu.Lock()
	if !q.closed {
		q.items = append(q.items, v)
	}
	q.mu.Unlock()
	q.signal()
}

func (q *queue[T]) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// close wakes every waiter; items already queued are still returned.
func (q *queue[T]) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// pop returns the next item, or ok=false once the queue is closed and empty
// or done is closed.
func (q *queue[T]) pop(done <-chan struct{}) (v T, ok bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			v = q.items[0]
			var zero T
			q.items[0] = zero
			q.items = q.items[1:]
			more := len(q.items) > 0
			q.mu.Unlock()
			if more {
				q.signal()
			}
			return v, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			q.signal()
			return v, false
		}
		select {
		case <-q.ready:
		case <-done:
			return v, false
		}
	}
}
