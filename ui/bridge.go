package ui

import (
	"context"
	"sync"

	"fyne.io/fyne/v2"
)

// dispatch runs f on the UI goroutine. It is the only call of fyne.Do in this
// package; tests replace it with a queue that the test goroutine drains, the
// way the Fyne event loop drains fyne.Do in the real app.
var dispatch = fyne.Do

// worker runs backend calls on goroutines and hands their results back to the
// UI goroutine. Its methods are called on the UI goroutine only; stop waits
// for every goroutine it started.
type worker struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newWorker() *worker {
	ctx, cancel := context.WithCancel(context.Background())
	return &worker{ctx: ctx, cancel: cancel}
}

// background runs work on a new goroutine. The function work returns, if not
// nil, then runs on the UI goroutine unless the worker was stopped meanwhile.
func (w *worker) background(work func(ctx context.Context) func()) {
	if w.ctx.Err() != nil {
		return
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if update := work(w.ctx); update != nil {
			w.toUI(update)
		}
	}()
}

// loop runs fn on a new goroutine that the worker waits for on stop; fn must
// return when ctx is done.
func (w *worker) loop(fn func(ctx context.Context)) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		fn(w.ctx)
	}()
}

// toUI runs f on the UI goroutine unless the worker has stopped. It may be
// called from any goroutine.
func (w *worker) toUI(f func()) {
	if w.ctx.Err() != nil {
		return
	}
	dispatch(func() {
		if w.ctx.Err() == nil {
			f()
		}
	})
}

// stop cancels every call in flight and waits for the goroutines to end.
func (w *worker) stop() {
	w.cancel()
	w.wg.Wait()
}
