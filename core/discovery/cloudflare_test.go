package discovery

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"tincan/core/discovery/cftest"
)

func TestCloudflareRoundTrip(t *testing.T) {
	srv := newFake(t)
	p := newProvider(t, srv, testToken)
	ctx := context.Background()

	recs, err := p.List(ctx)
	if err != nil || len(recs) != 0 {
		t.Fatalf("empty zone: list = %v, %v", recs, err)
	}
	v4 := netip.MustParseAddr("192.0.2.10")
	v6 := netip.MustParseAddr("2001:db8::10")
	r4, err := p.Create(ctx, v4)
	if err != nil {
		t.Fatalf("create A: %v", err)
	}
	r6, err := p.Create(ctx, v6)
	if err != nil {
		t.Fatalf("create AAAA: %v", err)
	}
	if len(r4.ID) != 32 || r4.ID == r6.ID || r4.Addr != v4 || r6.Addr != v6 || r4.CreatedOn.IsZero() {
		t.Fatalf("created records: %+v %+v", r4, r6)
	}
	// A record of another type at the same name, and a record at another name, are not entries.
	srv.AddRecord("TXT", testEntry, "v=tincan")
	srv.AddRecord("A", "other.tincan.example", "192.0.2.99")

	recs, err = p.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0] != r4 || recs[1] != r6 {
		t.Fatalf("list = %+v, want %+v then %+v", recs, r4, r6)
	}
	stored := srv.Records(testEntry)
	if stored[0].Type != "A" || stored[0].TTL != 60 || stored[0].Proxied || stored[0].Comment != recordComment {
		t.Fatalf("stored record = %+v", stored[0])
	}

	if err := p.Delete(ctx, r4.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := p.Delete(ctx, r4.ID); !errors.Is(err, ErrRecordNotFound) {
		t.Fatalf("second delete: %v, want ErrRecordNotFound", err)
	}
	recs, err = p.List(ctx)
	if err != nil || len(recs) != 1 || recs[0] != r6 {
		t.Fatalf("after delete: %+v, %v", recs, err)
	}
}

func TestCloudflareIdenticalRecord(t *testing.T) {
	srv := newFake(t)
	p := newProvider(t, srv, testToken)
	a := netip.MustParseAddr("192.0.2.1")
	if _, err := p.Create(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	_, err := p.Create(context.Background(), a)
	if !errors.Is(err, ErrRecordExists) || !strings.Contains(err.Error(), "81058") {
		t.Fatalf("identical create: %v, want ErrRecordExists with code 81058", err)
	}
	if n := len(srv.Records(testEntry)); n != 1 {
		t.Fatalf("%d records, want 1", n)
	}
}

func TestCloudflareBadToken(t *testing.T) {
	srv := newFake(t)
	p := newProvider(t, srv, "wrong-token")
	_, err := p.List(context.Background())
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("list with a wrong token: %v, want ErrAuth", err)
	}
	msg := err.Error()
	for _, want := range []string{"refused the API token", TokenEnv, "Authentication error (10000)", testEntry} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "wrong-token") {
		t.Errorf("error %q leaks the token", msg)
	}
	if _, err := NewCloudflare(CloudflareConfig{Token: "", ZoneID: "z", RecordName: testEntry}); !errors.Is(err, ErrBadToken) {
		t.Fatalf("empty token: %v", err)
	}
}

func TestCloudflareZoneByName(t *testing.T) {
	srv := cftest.NewServer(testToken, "other.example", testZone)
	t.Cleanup(srv.Close)
	p, err := NewCloudflare(CloudflareConfig{Token: testToken, ZoneName: testZone + ".", RecordName: "Entry.Tincan.Example.",
		BaseURL: srv.URL(), RateLimit: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Create(context.Background(), netip.MustParseAddr("192.0.2.5"))
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Records(testEntry)
	if len(got) != 1 || got[0].ID != r.ID || got[0].ZoneID != srv.ZoneID(testZone) {
		t.Fatalf("records = %+v", got)
	}
	if _, err := NewCloudflare(CloudflareConfig{Token: testToken, ZoneName: "elsewhere.example", RecordName: testEntry}); err == nil {
		t.Fatal("entry name outside the zone accepted")
	}
	q, err := NewCloudflare(CloudflareConfig{Token: testToken, ZoneName: "missing.example", RecordName: "entry.missing.example",
		BaseURL: srv.URL(), RateLimit: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.List(context.Background()); err == nil || !strings.Contains(err.Error(), "zone missing.example not found") {
		t.Fatalf("missing zone: %v", err)
	}
}

func TestCloudflarePagination(t *testing.T) {
	srv := newFake(t)
	p := newProvider(t, srv, testToken)
	const n = 230 // three pages of 100
	for i := range n {
		srv.AddRecord("A", testEntry, netip.AddrFrom4([4]byte{198, 51, byte(i / 250), byte(i%250 + 1)}).String())
	}
	before := srv.Stats().Requests
	recs, err := p.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("listed %d records, want %d", len(recs), n)
	}
	if got := srv.Stats().Requests - before; got != 3 {
		t.Fatalf("list took %d requests, want 3 pages", got)
	}
}

func TestCloudflareServerErrors(t *testing.T) {
	srv := newFake(t)
	p := newProvider(t, srv, testToken)
	srv.FailNext(1, http.StatusInternalServerError)
	_, err := p.List(context.Background())
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("list during a 500: %v", err)
	}
	if _, err := p.List(context.Background()); err != nil {
		t.Fatalf("list after the failure: %v", err)
	}

	// With one retry, a single 500 is ridden out.
	q, err := NewCloudflare(CloudflareConfig{Token: testToken, ZoneID: srv.ZoneID(testZone), RecordName: testEntry,
		BaseURL: srv.URL(), RateLimit: 1e6, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv.FailNext(1, http.StatusInternalServerError)
	if _, err := q.Create(context.Background(), netip.MustParseAddr("192.0.2.7")); err != nil {
		t.Fatalf("create with a retry: %v", err)
	}
	if n := len(srv.Records(testEntry)); n != 1 {
		t.Fatalf("%d records after a retried create, want 1", n)
	}
}

func TestCloudflareRejectsBadInput(t *testing.T) {
	srv := newFake(t)
	p := newProvider(t, srv, testToken)
	for _, a := range []netip.Addr{{}, netip.IPv4Unspecified(), netip.MustParseAddr("ff02::1")} {
		if _, err := p.Create(context.Background(), a); !errors.Is(err, ErrBadRecord) {
			t.Errorf("create %v: %v, want ErrBadRecord", a, err)
		}
	}
	if srv.Stats().Writes != 0 {
		t.Fatal("bad addresses reached the API")
	}
	// Records with unusable content are skipped, not fatal.
	srv.AddRecord("A", testEntry, "not-an-ip")
	srv.AddRecord("AAAA", testEntry, "192.0.2.1")
	good := srv.AddRecord("A", testEntry, "192.0.2.2")
	recs, err := p.List(context.Background())
	if err != nil || len(recs) != 1 || recs[0].ID != good.ID {
		t.Fatalf("list = %+v, %v; want only %s", recs, err, good.ID)
	}
	for _, cfg := range []CloudflareConfig{
		{Token: testToken, RecordName: testEntry},
		{Token: testToken, ZoneID: "z", RecordName: "bad name!"},
		{Token: testToken, ZoneID: "z", RecordName: testEntry, TTL: 30},
		{Token: "two words", ZoneID: "z", RecordName: testEntry},
	} {
		if _, err := NewCloudflare(cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}
