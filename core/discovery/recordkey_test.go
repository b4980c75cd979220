package discovery

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"tincan/core/discovery/cftest"
)

// A record this node creates names its key in the comment, and List reads
// it back, so probes can tell the publisher from a squatter.
func TestRecordsCarryThePublishersKey(t *testing.T) {
	srv := cftest.NewServer(testToken, testZone)
	defer srv.Close()
	const key = "00112233445566778899aabbccddeeff00112233"
	p, err := NewCloudflare(CloudflareConfig{Token: testToken, ZoneID: srv.ZoneID(testZone), RecordName: testEntry,
		BaseURL: srv.URL(), RateLimit: 1e6, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Create(context.Background(), netip.MustParseAddr("1.1.1.1"))
	if err != nil || r.Key != key {
		t.Fatalf("create gave %+v, %v; want the record with key %s", r, err, key)
	}
	if c := srv.Records(testEntry)[0].Comment; c != "tincan entry point key="+key {
		t.Fatalf("the stored comment is %q", c)
	}
	srv.AddRecord("A", testEntry, "1.0.0.1") // someone else's, no comment
	recs, err := p.List(context.Background())
	if err != nil || len(recs) != 2 {
		t.Fatalf("list: %+v, %v", recs, err)
	}
	for _, r := range recs {
		want := ""
		if r.Addr == netip.MustParseAddr("1.1.1.1") {
			want = key
		}
		if r.Key != want {
			t.Errorf("record %v has key %q, want %q", r.Addr, r.Key, want)
		}
	}
	if _, err := NewCloudflare(CloudflareConfig{Token: testToken, ZoneID: "z", RecordName: testEntry, Key: "NOT-HEX"}); err == nil {
		t.Error("a malformed node key was accepted for the comment")
	}
}

func FuzzKeyFromComment(f *testing.F) {
	f.Add("tincan entry point key=00112233445566778899aabbccddeeff00112233")
	f.Add("tincan entry point")
	f.Add("tincan entry point key=")
	f.Add("tincan entry point key=XYZ")
	f.Fuzz(func(t *testing.T, c string) {
		k := keyFromComment(c)
		if len(k) > maxKeyLen || strings.Trim(k, "0123456789abcdef") != "" {
			t.Fatalf("comment %q gave key %q: not bounded lowercase hex", c, k)
		}
		if k != "" && keyFromComment(recordCommentFor(k)) != k {
			t.Fatalf("key %q does not round-trip through a comment", k)
		}
	})
}
