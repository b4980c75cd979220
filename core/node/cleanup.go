package node

// cleanup is a stack of undo steps for a start that fails half-way: each
// step that opens something adds how to close it, and run closes them last
// first.
type cleanup []func()

// add pushes an undo step.
func (c *cleanup) add(f func()) { *c = append(*c, f) }

// run undoes every step, the last added first.
func (c cleanup) run() {
	for i := len(c) - 1; i >= 0; i-- {
		c[i]()
	}
}
