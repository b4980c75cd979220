package overlay

// lru is a small least-recently-used cache: a slice scanned linearly, most
// recent last. It suits the few dozen entries it holds.
type lru[K comparable, V any] struct {
	limit int
	items []lruItem[K, V]
}

type lruItem[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](limit int) *lru[K, V] { return &lru[K, V]{limit: limit} }

func (l *lru[K, V]) index(k K) int {
	for i := range l.items {
		if l.items[i].key == k {
			return i
		}
	}
	return -1
}

// get returns k's value and marks it most recently used.
func (l *lru[K, V]) get(k K) (V, bool) {
	i := l.index(k)
	if i < 0 {
		var zero V
		return zero, false
	}
	it := l.items[i]
	copy(l.items[i:], l.items[i+1:])
	l.items[len(l.items)-1] = it
	return it.val, true
}

// put sets k's value, evicting the least recently used entry when full.
func (l *lru[K, V]) put(k K, v V) {
	if l.limit <= 0 {
		return
	}
	if i := l.index(k); i >= 0 {
		l.items = append(l.items[:i], l.items[i+1:]...)
	} else if len(l.items) >= l.limit {
		l.items = append(l.items[:0], l.items[1:]...)
	}
	l.items = append(l.items, lruItem[K, V]{k, v})
}

func (l *lru[K, V]) remove(k K) {
	if i := l.index(k); i >= 0 {
		l.items = append(l.items[:i], l.items[i+1:]...)
	}
}
