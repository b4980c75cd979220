package chat

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"tincan/core/identity"
	"tincan/core/store"
	"tincan/core/wire"
)

// benchBody is the payload every latency benchmark sends.
const benchBody = "the quick brown fox jumps over the lazy dog, 64 bytes of chat.."

// reportLatency reports the median and 99th percentile of ds.
func reportLatency(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(ds[(len(ds)*99)/100].Nanoseconds()), "p99-ns")
}

// benchPair starts alice and bob, connected, with delivered reporting the
// IDs alice sees delivered.
func benchPair(b *testing.B, keepAlive time.Duration) (a, bob *node, bAtA store.Contact, delivered chan store.MessageID) {
	a, bob = newNode(b, "alice"), newNode(b, "bob")
	bAtA = a.know(bob)
	bob.know(a)
	delivered = make(chan store.MessageID, 1<<15)
	a.tweak = func(c *Config) {
		c.KeepAlive = keepAlive
		c.Emit = func(ev Event) {
			if sc, ok := ev.(StateChanged); ok && sc.State == store.Delivered {
				select {
				case delivered <- sc.ID:
				default:
					b.Error("delivery channel full")
				}
			}
		}
	}
	bob.tweak = func(c *Config) { c.KeepAlive = keepAlive }
	a.start()
	bob.start()
	warm := a.enqueue(bAtA, "warm-up")
	waitDelivered(b, delivered, warm.ID)
	return a, bob, bAtA, delivered
}

func waitDelivered(b *testing.B, ch chan store.MessageID, id store.MessageID) {
	timeout := time.After(waitTimeout)
	for {
		select {
		case got := <-ch:
			if got == id {
				return
			}
		case <-timeout:
			b.Fatalf("message %x not delivered within %v", id, waitTimeout)
		}
	}
}

// BenchmarkRoundTrip: one message from the user's send (commit to the
// outbox) to alice seeing bob's acknowledgement of his commit.
func BenchmarkRoundTrip(b *testing.B) {
	a, bob, bAtA, delivered := benchPair(b, time.Minute)
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		m := a.enqueue(bAtA, benchBody)
		waitDelivered(b, delivered, m.ID)
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, ds)
	a.shutdown()
	bob.shutdown()
}

// BenchmarkBareTLSEcho: the same payload as one frame echoed over a bare TLS
// 1.3 loopback connection with the same keys: the floor under RoundTrip.
func BenchmarkBareTLSEcho(b *testing.B) {
	certOf := func(name string) tls.Certificate {
		c, err := identity.SelfCert(testID(b, name))
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	base := tls.Config{MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13, InsecureSkipVerify: true}
	srvCfg, cliCfg := base.Clone(), base.Clone()
	srvCfg.Certificates, srvCfg.ClientAuth = []tls.Certificate{certOf("bob")}, tls.RequireAnyClientCert
	cliCfg.Certificates = []tls.Certificate{certOf("alice")}

	ln, err := tls.Listen("tcp", "127.0.0.1:0", srvCfg)
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	echoed := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			echoed <- err
			return
		}
		defer c.Close()
		for {
			t, p, err := wire.ReadFrame(c)
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				echoed <- err
				return
			}
			if err := wire.WriteFrame(c, t, p); err != nil {
				echoed <- err
				return
			}
		}
	}()
	c, err := tls.Dial("tcp", ln.Addr().String(), cliCfg)
	if err != nil {
		b.Fatal(err)
	}
	payload, err := wire.Msg{SentAt: time.Now().UnixNano(), Body: benchBody}.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := wire.WriteFrame(c, wire.TypeMsg, payload); err != nil {
			b.Fatal(err)
		}
		if _, p, err := wire.ReadFrame(c); err != nil || len(p) != len(payload) {
			b.Fatalf("echo: %d bytes, %v", len(p), err)
		}
		ds = append(ds, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, ds)
	c.Close()
	if err := <-echoed; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBurst10k: 10,000 messages already in the outbox, sent over a
// live session after one Kick, until every one is acknowledged.
func BenchmarkBurst10k(b *testing.B) {
	const n = 10000
	a, bob, bAtA, delivered := benchPair(b, time.Hour) // no tick picks up the queue early
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for j := 0; j < n; j++ {
			if _, err := a.st.Enqueue(ctx, store.Message{ContactID: bAtA.ID, Direction: store.Outgoing, Body: benchBody}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		a.m.Kick(bAtA.ID)
		timeout := time.After(5 * time.Minute)
		for got := 0; got < n; got++ {
			select {
			case <-delivered:
			case <-timeout:
				b.Fatalf("%d of %d delivered after 5 minutes", got, n)
			}
		}
		total += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
	if ob := a.outbox(bAtA); len(ob) != 0 {
		b.Fatalf("outbox still holds %d messages", len(ob))
	}
	a.shutdown()
	bob.shutdown()
}
