package chat

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"tincan/core/identity"
	"tincan/core/store"
)

// waitTimeout bounds every wait for an asynchronous outcome.
const waitTimeout = 30 * time.Second

// Identities are slow to make (RSA-3072), so each name is made once per run.
var (
	idMu    sync.Mutex
	idOnces = map[string]*idOnce{}
)

type idOnce struct {
	once sync.Once
	id   *identity.Identity
	err  error
}

func testID(t testing.TB, name string) *identity.Identity {
	t.Helper()
	idMu.Lock()
	o := idOnces[name]
	if o == nil {
		o = &idOnce{}
		idOnces[name] = o
	}
	idMu.Unlock()
	o.once.Do(func() { o.id, o.err = identity.Generate(name) })
	if o.err != nil {
		t.Fatalf("generate identity %q: %v", name, o.err)
	}
	return o.id
}

// contactOf is the contact entry another user keeps for id at addr.
func contactOf(t testing.TB, name string, id *identity.Identity, addr string) store.Contact {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(id.Public())
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(der)
	return store.Contact{Name: name, Card: "card of " + name, PublicKey: der, Fingerprint: fp[:], SecretID: id.SecretID[:], Addr: addr}
}

// waitFor polls cond until it holds or waitTimeout passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitTimeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitProgress polls until done reports true, failing only if the progress
// count stops changing for waitTimeout: long streams on a loaded machine
// take their time, but a stuck one fails.
func waitProgress(t testing.TB, what string, state func() (progress int, done bool)) {
	t.Helper()
	last, _ := state()
	deadline := time.Now().Add(waitTimeout)
	for {
		p, done := state()
		if done {
			return
		}
		if p != last {
			last, deadline = p, time.Now().Add(waitTimeout)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress for %v waiting for %s (at %d)", waitTimeout, what, p)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkGoroutines fails the test if goroutines started during it outlive it.
// It must be called first so that its cleanup runs last.
func checkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:n])
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// logBuf collects log output for assertions.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuf) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.buf.String(), s)
}

func (l *logBuf) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), s)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// recorder keeps every event a manager emits.
type recorder struct {
	mu     sync.Mutex
	events []Event
	busy   bool
	racing bool // Emit was entered while another call was running
}

func (r *recorder) emit(ev Event) {
	r.mu.Lock()
	if r.busy {
		r.racing = true
	}
	r.busy = true
	r.events = append(r.events, ev)
	r.mu.Unlock()
	runtime.Gosched()
	r.mu.Lock()
	r.busy = false
	r.mu.Unlock()
}

func (r *recorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// count returns how many StateChanged events report state.
func (r *recorder) count(state store.State) int {
	n := 0
	for _, ev := range r.all() {
		if sc, ok := ev.(StateChanged); ok && sc.State == state {
			n++
		}
	}
	return n
}

func (r *recorder) received() []store.Message {
	var out []store.Message
	for _, ev := range r.all() {
		if mr, ok := ev.(MessageReceived); ok {
			out = append(out, mr.Message)
		}
	}
	return out
}

// node is one user under test: identity, store, listener and manager.
type node struct {
	t      testing.TB
	name   string
	id     *identity.Identity
	dbPath string
	st     *store.Store
	addr   string
	ln     net.Listener
	rec    *recorder
	logs   *logBuf
	m      *Manager
	cancel context.CancelFunc
	done   chan error
	tweak  func(*Config)

	printed bool
}

func newNode(t testing.TB, name string) *node {
	t.Helper()
	n := &node{t: t, name: name, id: testID(t, name), dbPath: filepath.Join(t.TempDir(), name+".db"), rec: &recorder{}, logs: &logBuf{}}
	n.openStore()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.ln, n.addr = ln, ln.Addr().String()
	t.Cleanup(n.shutdown)
	return n
}

func (n *node) openStore() {
	st, err := store.Open(n.dbPath)
	if err != nil {
		n.t.Fatalf("open store of %s: %v", n.name, err)
	}
	n.st = st
}

// listen binds the node's address again after a stop.
func (n *node) listen() {
	var err error
	for i := 0; i < 100; i++ {
		if n.ln, err = net.Listen("tcp", n.addr); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	n.t.Fatalf("listen again on %s: %v", n.addr, err)
}

// know adds other to n's contacts, reachable at other's address.
func (n *node) know(other *node) store.Contact {
	n.t.Helper()
	c, err := n.st.AddContact(context.Background(), contactOf(n.t, other.name, other.id, other.addr))
	if err != nil {
		n.t.Fatalf("%s adds %s: %v", n.name, other.name, err)
	}
	return c
}

func (n *node) start() {
	n.t.Helper()
	cfg := Config{
		Identity:  n.id,
		Store:     n.st,
		Listener:  n.ln,
		Emit:      n.rec.emit,
		Logger:    slog.New(slog.NewTextHandler(n.logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", n.name),
		RetryMin:  20 * time.Millisecond,
		RetryMax:  200 * time.Millisecond,
		KeepAlive: 2 * time.Second,
	}
	if n.tweak != nil {
		n.tweak(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		n.t.Fatalf("new manager for %s: %v", n.name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.m, n.cancel, n.done = m, cancel, make(chan error, 1)
	go func() { n.done <- m.Run(ctx) }()
}

// stop cancels Run and waits for it to return.
func (n *node) stop() {
	n.t.Helper()
	if n.cancel == nil {
		return
	}
	n.cancel()
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		n.t.Fatalf("Run of %s did not return within 10s of cancel", n.name)
	}
	n.cancel = nil
	n.ln = nil
}

// shutdown stops the manager and closes the store.
func (n *node) shutdown() {
	n.stop()
	if n.ln != nil {
		n.ln.Close()
		n.ln = nil
	}
	if n.st != nil {
		n.st.Close()
		n.st = nil
	}
	if !n.printed && (n.t.Failed() || os.Getenv("CHAT_TEST_LOGS") != "") {
		n.printed = true
		n.t.Logf("log of %s:\n%s", n.name, n.logs)
	}
}

func (n *node) enqueue(c store.Contact, body string) store.Message {
	n.t.Helper()
	m, err := n.st.Enqueue(context.Background(), store.Message{ContactID: c.ID, Direction: store.Outgoing, Body: body})
	if err != nil {
		n.t.Fatalf("%s enqueues %q: %v", n.name, body, err)
	}
	if n.m != nil {
		n.m.Kick(c.ID)
	}
	return m
}

func (n *node) history(c store.Contact) []store.Message {
	n.t.Helper()
	h, err := n.st.History(context.Background(), c.ID, 0)
	if err != nil {
		n.t.Fatalf("history of %s with %s: %v", n.name, c.Name, err)
	}
	return h
}

func (n *node) outbox(c store.Contact) []store.Message {
	n.t.Helper()
	ob, err := n.st.Outbox(context.Background(), c.ID)
	if err != nil {
		n.t.Fatalf("outbox of %s for %s: %v", n.name, c.Name, err)
	}
	return ob
}

// incoming returns the bodies of the incoming messages in history order.
func incoming(h []store.Message) []string {
	var out []string
	for _, m := range h {
		if m.Direction == store.Incoming {
			out = append(out, m.Body)
		}
	}
	return out
}

func bodiesN(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %04d", prefix, i)
	}
	return out
}

// sameStrings reports the first difference between got and want.
func sameStrings(got, want []string) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d items, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("item %d is %q, want %q", i, got[i], want[i])
		}
	}
	return nil
}
