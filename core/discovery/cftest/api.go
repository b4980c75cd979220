package cftest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a request body.
const maxBody = 64 << 10

// Page sizes of the list endpoints, as documented by Cloudflare.
const (
	defaultPerPage   = 100
	minPerPage       = 5
	maxPerPage       = 5000000
	zonesDefaultPage = 20
	zonesMaxPerPage  = 50
)

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// apiError is one entry of the envelope's errors array.
type apiError struct {
	Code       int        `json:"code"`
	Message    string     `json:"message"`
	ErrorChain []apiError `json:"error_chain,omitempty"`
}

type resultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

type envelope struct {
	Success    bool        `json:"success"`
	Errors     []apiError  `json:"errors"`
	Messages   []apiError  `json:"messages"`
	Result     any         `json:"result"`
	ResultInfo *resultInfo `json:"result_info,omitempty"`
}

// recordJSON is a DNS record as the API shows it.
type recordJSON struct {
	ID         string         `json:"id"`
	ZoneID     string         `json:"zone_id"`
	ZoneName   string         `json:"zone_name"`
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Content    string         `json:"content"`
	Proxiable  bool           `json:"proxiable"`
	Proxied    bool           `json:"proxied"`
	TTL        int            `json:"ttl"`
	Settings   map[string]any `json:"settings"`
	Meta       map[string]any `json:"meta"`
	Comment    *string        `json:"comment,omitempty"`
	Tags       []string       `json:"tags"`
	CreatedOn  string         `json:"created_on"`
	ModifiedOn string         `json:"modified_on"`
}

// createBody is the part of a create request the fake understands.
type createBody struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	Content string `json:"content"`
	TTL     int    `json:"ttl"`
	Proxied *bool  `json:"proxied"`
	Comment string `json:"comment,omitempty"`
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+BasePath+"/zones", s.listZones)
	mux.HandleFunc("GET "+BasePath+"/zones/{zone}/dns_records", s.listRecords)
	mux.HandleFunc("POST "+BasePath+"/zones/{zone}/dns_records", s.createRecord)
	mux.HandleFunc("GET "+BasePath+"/zones/{zone}/dns_records/{id}", s.getRecord)
	mux.HandleFunc("DELETE "+BasePath+"/zones/{zone}/dns_records/{id}", s.deleteRecord)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusBadRequest, apiError{Code: 7000, Message: "No route for that URI"})
	})
	return s.gate(mux)
}

// gate counts requests, injects failures and checks the API token.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.stats.Requests++
		if isWrite(r.Method) {
			s.stats.Writes++
		}
		fail := 0
		if s.failN > 0 && (!s.failWrites || isWrite(r.Method)) {
			s.failN--
			fail = s.failStatus
		}
		s.mu.Unlock()
		if fail != 0 {
			writeError(w, fail, apiError{Code: 10001, Message: "injected failure: " + http.StatusText(fail)})
			return
		}
		auth := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		switch {
		case !ok || token == "":
			writeError(w, http.StatusBadRequest, apiError{Code: 6003, Message: "Invalid request headers",
				ErrorChain: []apiError{{Code: 6111, Message: "Invalid format for Authorization header"}}})
		case token != s.token:
			writeError(w, http.StatusForbidden, apiError{Code: 10000, Message: "Authentication error"})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func (s *Server) listZones(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, perPage, ok := paging(w, q.Get("page"), q.Get("per_page"), zonesDefaultPage, 5, zonesMaxPerPage)
	if !ok {
		return
	}
	name := canonical(q.Get("name"))
	s.mu.Lock()
	var all []any
	for _, z := range s.zones {
		if name == "" || z.name == name {
			all = append(all, map[string]any{"id": z.id, "name": z.name, "status": "active", "paused": false, "type": "full"})
		}
	}
	s.mu.Unlock()
	writePage(w, all, page, perPage)
}

func (s *Server) listRecords(w http.ResponseWriter, r *http.Request) {
	z, ok := s.zone(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	page, perPage, ok := paging(w, q.Get("page"), q.Get("per_page"), defaultPerPage, minPerPage, maxPerPage)
	if !ok {
		return
	}
	name, typ, content := canonical(q.Get("name")), q.Get("type"), q.Get("content")
	s.mu.Lock()
	var all []any
	for _, rec := range s.records {
		if rec.ZoneID != z.id || (name != "" && rec.Name != name) || (typ != "" && rec.Type != typ) ||
			(content != "" && rec.Content != content) {
			continue
		}
		all = append(all, toJSON(rec))
	}
	s.mu.Unlock()
	writePage(w, all, page, perPage)
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) {
	z, ok := s.zone(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	rec := s.findLocked(z.id, r.PathValue("id"))
	var out recordJSON
	if rec != nil {
		out = toJSON(rec)
	}
	s.mu.Unlock()
	if rec == nil {
		writeError(w, http.StatusNotFound, apiError{Code: 81044, Message: "Record does not exist."})
		return
	}
	writeResult(w, http.StatusOK, out)
}

func (s *Server) deleteRecord(w http.ResponseWriter, r *http.Request) {
	z, ok := s.zone(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	found := s.findLocked(z.id, id) != nil
	if found {
		s.removeLocked(id)
	}
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, apiError{Code: 81044, Message: "Record does not exist."})
		return
	}
	writeResult(w, http.StatusOK, map[string]string{"id": id})
}

func (s *Server) createRecord(w http.ResponseWriter, r *http.Request) {
	z, ok := s.zone(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeError(w, http.StatusBadRequest, apiError{Code: 9207, Message: "Request body is invalid."})
		return
	}
	var in createBody
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, apiError{Code: 9207, Message: "Request body is invalid."})
		return
	}
	rec, apiErr := validate(z, in)
	if apiErr != nil {
		writeError(w, http.StatusBadRequest, *apiErr)
		return
	}
	s.mu.Lock()
	for _, x := range s.records {
		if !s.allowIdentical && x.ZoneID == z.id && x.Type == rec.Type && x.Name == rec.Name && x.Content == rec.Content {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, apiError{Code: 81058, Message: "An identical record already exists."})
			return
		}
	}
	rec.ID = newID()
	rec.CreatedOn = s.stampLocked()
	rec.ModifiedOn = rec.CreatedOn
	s.records = append(s.records, rec)
	out := toJSON(rec)
	s.mu.Unlock()
	writeResult(w, http.StatusOK, out)
}

// validate checks a create request the way the API does for the fields the fake knows.
func validate(z zone, in createBody) (*Record, *apiError) {
	if in.Type == "" {
		return nil, &apiError{Code: 9004, Message: "DNS record type is invalid."}
	}
	name := canonical(in.Name)
	switch {
	case name == "":
		return nil, &apiError{Code: 9007, Message: "DNS record name is required."}
	case name == "@":
		name = z.name
	case name != z.name && !strings.HasSuffix(name, "."+z.name):
		name += "." + z.name
	}
	if len(name) > 253 {
		return nil, &apiError{Code: 9005, Message: "DNS record name is too long."}
	}
	switch in.Type {
	case "A":
		if a, err := netip.ParseAddr(in.Content); err != nil || !a.Is4() {
			return nil, &apiError{Code: 9005, Message: "Content for A record must be a valid IPv4 address."}
		}
	case "AAAA":
		if a, err := netip.ParseAddr(in.Content); err != nil || !a.Is6() || a.Zone() != "" {
			return nil, &apiError{Code: 9006, Message: "Content for AAAA record must be a valid IPv6 address."}
		}
	}
	ttl := in.TTL
	if ttl == 0 {
		ttl = 1
	}
	if ttl != 1 && (ttl < 60 || ttl > 86400) {
		return nil, &apiError{Code: 9021, Message: "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic."}
	}
	proxied := in.Proxied != nil && *in.Proxied
	return &Record{ZoneID: z.id, ZoneName: z.name, Type: in.Type, Name: name, Content: in.Content,
		TTL: ttl, Proxied: proxied, Comment: in.Comment}, nil
}

// zone finds the zone named in the path or writes the API's routing error.
func (s *Server) zone(w http.ResponseWriter, r *http.Request) (zone, bool) {
	id := r.PathValue("zone")
	s.mu.Lock()
	z, ok := s.zoneByIDLocked(id)
	s.mu.Unlock()
	if !ok || !hexID.MatchString(id) {
		writeError(w, http.StatusBadRequest, apiError{Code: 7003,
			Message: fmt.Sprintf("Could not route to %s, perhaps your object identifier is invalid?", strings.TrimPrefix(r.URL.Path, BasePath))})
		return zone{}, false
	}
	return z, true
}

// paging parses page and per_page, writing the API's error if they are bad.
func paging(w http.ResponseWriter, pageS, perS string, def, lo, hi int) (page, perPage int, ok bool) {
	page, perPage = 1, def
	var err error
	if pageS != "" {
		if page, err = strconv.Atoi(pageS); err != nil || page < 1 {
			writeError(w, http.StatusBadRequest, apiError{Code: 1004, Message: "page must be a positive integer"})
			return 0, 0, false
		}
	}
	if perS != "" {
		if perPage, err = strconv.Atoi(perS); err != nil || perPage < lo || perPage > hi {
			writeError(w, http.StatusBadRequest, apiError{Code: 1004, Message: fmt.Sprintf("per_page must be between %d and %d", lo, hi)})
			return 0, 0, false
		}
	}
	return page, perPage, true
}

// writePage writes one page of all with its result_info.
func writePage(w http.ResponseWriter, all []any, page, perPage int) {
	total := len(all)
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	result := all[start:end]
	if result == nil {
		result = []any{}
	}
	info := &resultInfo{Page: page, PerPage: perPage, Count: len(result), TotalCount: total,
		TotalPages: (total + perPage - 1) / perPage}
	writeJSON(w, http.StatusOK, envelope{Success: true, Errors: []apiError{}, Messages: []apiError{}, Result: result, ResultInfo: info})
}

func writeResult(w http.ResponseWriter, status int, result any) {
	writeJSON(w, status, envelope{Success: true, Errors: []apiError{}, Messages: []apiError{}, Result: result})
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	writeJSON(w, status, envelope{Success: false, Errors: []apiError{e}, Messages: []apiError{}, Result: nil})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cf-Ray", newID()[:16]+"-TST")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// stamp formats a time the way the API does.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func toJSON(r *Record) recordJSON {
	var comment *string
	if r.Comment != "" {
		c := r.Comment
		comment = &c
	}
	return recordJSON{ID: r.ID, ZoneID: r.ZoneID, ZoneName: r.ZoneName, Name: r.Name, Type: r.Type,
		Content: r.Content, Proxiable: r.Type == "A" || r.Type == "AAAA" || r.Type == "CNAME",
		Proxied: r.Proxied, TTL: r.TTL, Settings: map[string]any{},
		Meta:    map[string]any{"auto_added": false, "managed_by_apps": false, "managed_by_argo_tunnel": false},
		Comment: comment, Tags: []string{}, CreatedOn: stamp(r.CreatedOn), ModifiedOn: stamp(r.ModifiedOn)}
}
