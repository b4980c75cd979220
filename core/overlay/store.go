package overlay

import (
	"bytes"
	"time"
)

// recordStore keeps the rendezvous records other nodes ask this node to
// hold: at most maxPerKey per tag (one per storing peer, newest wins) and
// maxTotal overall, each until its hour is over plus a grace period.
type recordStore struct {
	byKey     map[GUID][]stored
	count     int
	maxPerKey int
	maxTotal  int
	grace     time.Duration
	sweepAt   int // sweep expired records when count reaches this
}

type stored struct {
	rec     Record
	src     GUID  // the peer that stored it
	expires int64 // Unix nanoseconds
}

func (s *recordStore) expiry(hour uint32) int64 {
	return hourStart(hour + 1).Add(s.grace).UnixNano()
}

// put keeps rec from src; it reports false when the store is full or the
// record is for an hour too far from now.
func (s *recordStore) put(rec Record, src GUID, now time.Time) bool {
	h := HourOf(now)
	if rec.Hour+1 < h || rec.Hour > h+1 {
		return false
	}
	if s.byKey == nil {
		s.byKey = make(map[GUID][]stored)
	}
	ns := now.UnixNano()
	st := stored{rec: rec, src: src, expires: s.expiry(rec.Hour)}
	list := s.byKey[rec.Key]
	for i := range list {
		if bytes.Equal(list[i].rec.Sealed, rec.Sealed) {
			return true // a replica of one already held
		}
	}
	for i := range list {
		if list[i].src == src && list[i].rec.Hour == rec.Hour {
			list[i] = st
			return true
		}
	}
	if len(list) >= s.maxPerKey {
		// Replace the one that expires first, or an expired one.
		old := 0
		for i := range list {
			if list[i].expires < list[old].expires {
				old = i
			}
		}
		list[old] = st
		return true
	}
	if s.count >= s.sweepAt {
		s.sweep(ns)
		s.sweepAt = max(2*s.count, 64)
	}
	if s.count >= s.maxTotal {
		return false
	}
	s.byKey[rec.Key] = append(list, st)
	s.count++
	return true
}

// get returns the unexpired records under key, at most MaxRecords.
func (s *recordStore) get(key GUID, now time.Time) []Record {
	list := s.byKey[key]
	var out []Record
	for i := range list {
		if list[i].expires > now.UnixNano() && len(out) < MaxRecords {
			out = append(out, list[i].rec)
		}
	}
	return out
}

// sweep drops expired records.
func (s *recordStore) sweep(now int64) {
	for k, list := range s.byKey {
		kept := list[:0]
		for _, st := range list {
			if st.expires > now {
				kept = append(kept, st)
			}
		}
		s.count -= len(list) - len(kept)
		if len(kept) == 0 {
			delete(s.byKey, k)
		} else {
			s.byKey[k] = kept
		}
	}
}

// len returns how many records are held, expired or not.
func (s *recordStore) len() int { return s.count }
