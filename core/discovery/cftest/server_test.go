package cftest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const tok = "fake-token"

type reply struct {
	Success    bool             `json:"success"`
	Errors     []map[string]any `json:"errors"`
	Messages   []map[string]any `json:"messages"`
	Result     json.RawMessage  `json:"result"`
	ResultInfo *resultInfo      `json:"result_info"`
}

func call(t *testing.T, s *Server, method, path, token, body string) (int, reply) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	if r.Errors == nil || r.Messages == nil {
		t.Fatalf("%s %s: envelope lacks errors or messages arrays", method, path)
	}
	return resp.StatusCode, r
}

func TestEnvelopeAndAuth(t *testing.T) {
	s := NewServer(tok, "tincan.example")
	defer s.Close()
	zone := s.ZoneID("tincan.example")
	if len(zone) != 32 {
		t.Fatalf("zone ID %q", zone)
	}
	path := "/zones/" + zone + "/dns_records"

	code, r := call(t, s, "GET", path, "", "")
	if code != 400 || r.Success || r.Errors[0]["code"] != float64(6003) {
		t.Fatalf("no token: %d %+v", code, r)
	}
	code, r = call(t, s, "GET", path, "wrong", "")
	if code != 403 || r.Success || r.Errors[0]["code"] != float64(10000) || string(r.Result) != "null" {
		t.Fatalf("wrong token: %d %+v", code, r)
	}

	code, r = call(t, s, "POST", path, tok, `{"type":"A","name":"entry","content":"192.0.2.1","ttl":60,"proxied":false}`)
	if code != 200 || !r.Success {
		t.Fatalf("create: %d %+v", code, r)
	}
	var rec map[string]any
	if err := json.Unmarshal(r.Result, &rec); err != nil {
		t.Fatal(err)
	}
	if rec["name"] != "entry.tincan.example" || len(rec["id"].(string)) != 32 || rec["ttl"] != float64(60) {
		t.Fatalf("created record %v", rec)
	}
	if _, err := time.Parse(time.RFC3339Nano, rec["created_on"].(string)); err != nil {
		t.Fatalf("created_on: %v", err)
	}

	for body, wantCode := range map[string]float64{
		`{"type":"A","name":"entry","content":"192.0.2.1","ttl":60}`: 81058,
		`{"type":"A","name":"entry","content":"2001:db8::1"}`:        9005,
		`{"type":"AAAA","name":"entry","content":"1.2.3.4"}`:         9006,
		`{"type":"A","name":"entry","content":"192.0.2.2","ttl":5}`:  9021,
		`{"type":"A","content":"192.0.2.2"}`:                         9007,
		`not json`:                                                   9207,
	} {
		code, r := call(t, s, "POST", path, tok, body)
		if code != 400 || r.Success || r.Errors[0]["code"] != wantCode {
			t.Errorf("create %s: %d %+v, want code %v", body, code, r.Errors, wantCode)
		}
	}

	id := rec["id"].(string)
	code, r = call(t, s, "GET", path+"?name=entry.tincan.example&type=A", tok, "")
	if code != 200 || r.ResultInfo == nil || r.ResultInfo.TotalCount != 1 || r.ResultInfo.Page != 1 || r.ResultInfo.PerPage != 100 {
		t.Fatalf("list: %d %+v", code, r.ResultInfo)
	}
	code, r = call(t, s, "DELETE", path+"/"+id, tok, "")
	if code != 200 || !strings.Contains(string(r.Result), id) {
		t.Fatalf("delete: %d %s", code, r.Result)
	}
	code, r = call(t, s, "DELETE", path+"/"+id, tok, "")
	if code != 404 || r.Errors[0]["code"] != float64(81044) {
		t.Fatalf("delete again: %d %+v", code, r.Errors)
	}
	code, r = call(t, s, "GET", "/zones/"+strings.Repeat("0", 32)+"/dns_records", tok, "")
	if code != 400 || r.Errors[0]["code"] != float64(7003) {
		t.Fatalf("unknown zone: %d %+v", code, r.Errors)
	}
	code, _ = call(t, s, "GET", "/zones?name=tincan.example", tok, "")
	if code != 200 {
		t.Fatalf("zones: %d", code)
	}
}

func TestPagination(t *testing.T) {
	s := NewServer(tok, "tincan.example")
	defer s.Close()
	for range 12 {
		s.AddRecord("TXT", "x.tincan.example", "t")
	}
	path := "/zones/" + s.ZoneID("tincan.example") + "/dns_records?per_page=5&page="
	seen := map[string]bool{}
	for page, want := range map[string]int{"1": 5, "2": 5, "3": 2, "4": 0} {
		code, r := call(t, s, "GET", path+page, tok, "")
		var res []map[string]any
		if err := json.Unmarshal(r.Result, &res); err != nil || code != 200 {
			t.Fatalf("page %s: %d %v", page, code, err)
		}
		if len(res) != want || r.ResultInfo.Count != want || r.ResultInfo.TotalPages != 3 || r.ResultInfo.TotalCount != 12 {
			t.Fatalf("page %s: %d results, info %+v", page, len(res), r.ResultInfo)
		}
		for _, x := range res {
			seen[x["id"].(string)] = true
		}
	}
	if len(seen) != 12 {
		t.Fatalf("%d distinct records over the pages, want 12", len(seen))
	}
	if code, _ := call(t, s, "GET", path+"0", tok, ""); code != 400 {
		t.Fatalf("page 0: %d", code)
	}
}

func TestFailureInjection(t *testing.T) {
	s := NewServer(tok, "tincan.example")
	defer s.Close()
	path := "/zones/" + s.ZoneID("tincan.example") + "/dns_records"
	s.FailNext(2, 502)
	for range 2 {
		if code, _ := call(t, s, "GET", path, tok, ""); code != 502 {
			t.Fatalf("injected failure: %d", code)
		}
	}
	if code, _ := call(t, s, "GET", path, tok, ""); code != 200 {
		t.Fatalf("after the failures: %d", code)
	}
	s.FailWrites(1, 500)
	if code, _ := call(t, s, "GET", path, tok, ""); code != 200 {
		t.Fatalf("read during write failures: %d", code)
	}
	if code, _ := call(t, s, "POST", path, tok, `{"type":"A","name":"e","content":"192.0.2.1"}`); code != 500 {
		t.Fatalf("write during write failures: %d", code)
	}
	if st := s.Stats(); st.Requests != 5 || st.Writes != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestConcurrentCreates(t *testing.T) {
	s := NewServer(tok, "tincan.example")
	defer s.Close()
	path := "/zones/" + s.ZoneID("tincan.example") + "/dns_records"
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", s.URL()+path, bytes.NewReader([]byte(`{"type":"A","name":"e","content":"192.0.2.1"}`)))
			req.Header.Set("Authorization", "Bearer "+tok)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	if n := len(s.Records("e.tincan.example")); n != 1 {
		t.Fatalf("%d identical records from concurrent creates, want 1", n)
	}
	recs := s.Records("e.tincan.example")
	if recs[0].TTL != 1 {
		t.Fatalf("default TTL %d, want 1 (automatic)", recs[0].TTL)
	}
}
