package cftest

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
)

// BasePath is the path prefix of the API, as in https://api.cloudflare.com/client/v4.
const BasePath = "/client/v4"

// Record is a DNS record held by the fake.
type Record struct {
	ID         string
	ZoneID     string
	ZoneName   string
	Type       string
	Name       string // fully qualified, lower case, no trailing dot
	Content    string
	TTL        int // 1 means automatic
	Proxied    bool
	Comment    string
	CreatedOn  time.Time
	ModifiedOn time.Time
}

// Stats counts the requests the fake received.
type Stats struct {
	Requests int // all requests
	Writes   int // POST, PUT, PATCH and DELETE requests, failed ones included
}

// Server is an in-memory fake of Cloudflare's DNS records API over HTTP.
// It is safe for concurrent use.
type Server struct {
	token string
	hs    *httptest.Server

	mu             sync.Mutex
	zones          []zone
	records        []*Record // in creation order
	lastCreated    time.Time
	failN          int
	failStatus     int
	failWrites     bool
	allowIdentical bool
	stats          Stats
}

type zone struct{ id, name string }

// NewServer starts a fake that accepts the API token token and holds the
// given zones (e.g. "tincan.example"), each with a random ID.
func NewServer(token string, zoneNames ...string) *Server {
	s := &Server{token: token}
	for _, n := range zoneNames {
		s.zones = append(s.zones, zone{id: newID(), name: canonical(n)})
	}
	s.hs = httptest.NewServer(s.routes())
	return s
}

// NewServerOn is NewServer serving on ln (for instance a listener made
// inside a network namespace) instead of a loopback port of its own.
func NewServerOn(ln net.Listener, token string, zoneNames ...string) *Server {
	s := &Server{token: token}
	for _, n := range zoneNames {
		s.zones = append(s.zones, zone{id: newID(), name: canonical(n)})
	}
	s.hs = httptest.NewUnstartedServer(s.routes())
	s.hs.Listener.Close()
	s.hs.Listener = ln
	s.hs.Start()
	return s
}

// URL returns the API base URL to give to cloudflare.BaseURL.
func (s *Server) URL() string { return s.hs.URL + BasePath }

// Close shuts the HTTP server down.
func (s *Server) Close() { s.hs.Close() }

// ZoneID returns the ID of the zone called name, or "".
func (s *Server) ZoneID(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, z := range s.zones {
		if z.name == canonical(name) {
			return z.id
		}
	}
	return ""
}

// Records returns copies of the records whose name is name, oldest first.
func (s *Server) Records(name string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	name = canonical(name)
	var out []Record
	for _, r := range s.records {
		if r.Name == name {
			out = append(out, *r)
		}
	}
	return out
}

// AddRecord stores a record directly, bypassing the API and its checks
// (as if made in the dashboard), and returns it. The name is taken as fully
// qualified; its zone is the longest matching one, if any.
func (s *Server) AddRecord(typ, name, content string) Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	name = canonical(name)
	r := &Record{ID: newID(), Type: typ, Name: name, Content: content, TTL: 1}
	if z, ok := s.zoneOfLocked(name); ok {
		r.ZoneID, r.ZoneName = z.id, z.name
	}
	r.CreatedOn = s.stampLocked()
	r.ModifiedOn = r.CreatedOn
	s.records = append(s.records, r)
	return *r
}

// AddRecordWithComment is AddRecord with the record's comment set, as a
// client that writes comments would leave it.
func (s *Server) AddRecordWithComment(typ, name, content, comment string) Record {
	r := s.AddRecord(typ, name, content)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.records {
		if x.ID == r.ID {
			x.Comment = comment
			r.Comment = comment
		}
	}
	return r
}

// RemoveRecord deletes the record with the given ID directly and reports whether it existed.
func (s *Server) RemoveRecord(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.removeLocked(id)
}

// FailNext makes the next n requests fail with the HTTP status (e.g. 500).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus, s.failWrites = n, status, false
}

// FailWrites makes the next n write requests (create, delete) fail with the
// HTTP status, while reads go through.
func (s *Server) FailWrites(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus, s.failWrites = n, status, true
}

// AllowIdentical makes the fake accept a record identical to an existing
// one (same type, name and content), which Cloudflare refuses with code 81058.
func (s *Server) AllowIdentical(allow bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.allowIdentical = allow
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// lookup returns copies of the records named name (any type) for the DNS fake.
func (s *Server) lookup(name string) []Record { return s.Records(name) }

func (s *Server) zoneOfLocked(name string) (zone, bool) {
	var best zone
	found := false
	for _, z := range s.zones {
		if (name == z.name || strings.HasSuffix(name, "."+z.name)) && len(z.name) > len(best.name) {
			best, found = z, true
		}
	}
	return best, found
}

func (s *Server) zoneByIDLocked(id string) (zone, bool) {
	for _, z := range s.zones {
		if z.id == id {
			return z, true
		}
	}
	return zone{}, false
}

func (s *Server) findLocked(zoneID, id string) *Record {
	for _, r := range s.records {
		if r.ID == id && r.ZoneID == zoneID {
			return r
		}
	}
	return nil
}

func (s *Server) removeLocked(id string) bool {
	i := slices.IndexFunc(s.records, func(r *Record) bool { return r.ID == id })
	if i < 0 {
		return false
	}
	s.records = slices.Delete(s.records, i, i+1)
	return true
}

// stampLocked returns a creation time later than every earlier one, with
// the microsecond precision of the real API.
func (s *Server) stampLocked() time.Time {
	t := time.Now().UTC().Truncate(time.Microsecond)
	if !t.After(s.lastCreated) {
		t = s.lastCreated.Add(time.Microsecond)
	}
	s.lastCreated = t
	return t
}

// isWrite reports whether an HTTP method changes state.
func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// newID returns a random 32-hex-digit identifier, like Cloudflare's.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// canonical lowercases a name and drops a trailing dot.
func canonical(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}
