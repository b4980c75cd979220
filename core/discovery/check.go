package discovery

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
)

// tick is the working state of one check.
type tick struct {
	e        *Elector
	ctx      context.Context
	self     netip.Addr // valid when known
	canWrite bool
	probed   map[string]bool // record ID -> probed in this tick
	alive    map[string]bool // record ID -> last probe in this tick succeeded
	reprobed map[string]bool // record ID -> re-probed before removal in this tick
	created  bool
	errs     []error
}

// Check runs one round: list the entry records, probe them, and, if this
// node may write, remove duplicates, dead entries and records above the cap,
// and publish this node while the set is below the cap. It returns the
// round's errors; the state keeps them too.
func (e *Elector) Check(ctx context.Context) error {
	e.checkMu.Lock()
	defer e.checkMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, e.cfg.CheckTimeout)
	defer cancel()
	self, canWrite := e.self()
	t := &tick{e: e, ctx: ctx, self: self, canWrite: canWrite,
		probed: map[string]bool{}, alive: map[string]bool{}, reprobed: map[string]bool{}}
	if e.cfg.Provider == nil {
		e.finish(t, nil)
		return nil
	}
	recs, err := e.cfg.Provider.List(ctx)
	if err != nil {
		t.errs = append(t.errs, fmt.Errorf("list entry records: %w", err))
		e.finish(t, nil)
		return errors.Join(t.errs...)
	}
	view := t.pass(recs, true)
	if t.created {
		// Re-list to see what nodes acting at the same time did, and settle
		// duplicates and the cap with the same deterministic rules.
		if recs, err := e.cfg.Provider.List(ctx); err != nil {
			t.errs = append(t.errs, fmt.Errorf("re-list entry records: %w", err))
		} else {
			view = t.pass(recs, false)
		}
	}
	e.finish(t, view)
	return errors.Join(t.errs...)
}

// pass applies the rules to one listing and returns the records that remain.
func (t *tick) pass(recs []Record, allowCreate bool) []Record {
	recs = slices.Clone(recs)
	slices.SortFunc(recs, compareAge)
	t.probeAll(recs)
	if !t.canWrite {
		return recs
	}
	limit := t.e.cfg.MaxEntries

	// Duplicates: the record with the smallest ID keeps the address.
	recs = t.removeDuplicates(recs)

	// Dead entries: over the failure threshold and failing a fresh probe.
	var live, dead []Record
	for _, r := range recs {
		if t.isSelf(r) || t.e.fails[r.ID] < t.e.cfg.FailThreshold || t.confirmAlive(r) {
			live = append(live, r)
		} else {
			dead = append(dead, r)
		}
	}

	// Above the cap: keep the oldest, but only once all of them answer, so
	// that the set is never trimmed down to entries that are failing.
	if len(live) > limit && t.allConfirmed(live[:limit]) {
		kept := live[:limit:limit]
		for _, r := range live[limit:] {
			if !t.delete(r, "above the cap of entry records") {
				kept = append(kept, r)
			}
		}
		live = kept
	}

	// Remove dead entries only while a confirmed live one remains.
	if slices.ContainsFunc(live, t.confirmed) {
		var still []Record
		for _, r := range dead {
			if !t.delete(r, "entry point stopped answering") {
				still = append(still, r)
			}
		}
		dead = still
	}

	// Publish this node while the set is below the cap.
	selfIn := slices.ContainsFunc(live, t.isSelf) || slices.ContainsFunc(dead, t.isSelf)
	if allowCreate && !selfIn && len(live) < limit {
		r, err := t.e.cfg.Provider.Create(t.ctx, t.self)
		switch {
		case err == nil:
			t.e.log.Info("published this node as an entry point", "addr", t.addrPort(r), "id", r.ID)
			t.created = true
			live = append(live, r)
		case errors.Is(err, ErrRecordExists):
			t.created = true // someone published it already; the re-list shows it
		default:
			t.errs = append(t.errs, fmt.Errorf("publish %s: %w", t.self, err))
		}
	}
	out := append(live, dead...)
	slices.SortFunc(out, compareAge)
	return out
}

// removeDuplicates deletes every record whose address also has a record
// with a smaller ID, and returns the records that remain.
func (t *tick) removeDuplicates(recs []Record) []Record {
	smallest := map[netip.Addr]string{}
	for _, r := range recs {
		if id, ok := smallest[r.Addr]; !ok || strings.Compare(r.ID, id) < 0 {
			smallest[r.Addr] = r.ID
		}
	}
	var out []Record
	for _, r := range recs {
		if r.ID != smallest[r.Addr] && t.delete(r, "duplicate of record "+smallest[r.Addr]) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// probeAll probes, concurrently, the records not yet probed in this tick
// (at most maxProbes in all, never this node's own while it may write) and
// updates the failure counts.
func (t *tick) probeAll(recs []Record) {
	var todo []Record
	for _, r := range recs {
		if len(t.probed)+len(todo) >= maxProbes {
			break
		}
		if !t.probed[r.ID] && !t.isSelf(r) {
			todo = append(todo, r)
		}
	}
	results := t.probe(todo)
	for i, r := range todo {
		t.probed[r.ID] = true
		t.alive[r.ID] = results[i] == nil
		if results[i] == nil {
			t.e.fails[r.ID] = 0
		} else {
			t.e.fails[r.ID]++
			t.e.log.Debug("entry point did not answer", "addr", t.addrPort(r), "failures", t.e.fails[r.ID], "err", results[i])
		}
	}
}

// probe probes recs with a bounded number of workers.
func (t *tick) probe(recs []Record) []error {
	results := make([]error, len(recs))
	sem := make(chan struct{}, probeWorkers)
	var wg sync.WaitGroup
	for i, r := range recs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(t.ctx, t.e.cfg.ProbeTimeout)
			defer cancel()
			results[i] = t.e.cfg.Prober.Probe(ctx, t.addrPort(r), r.Key)
		})
	}
	wg.Wait()
	return results
}

// confirmAlive re-probes a record that crossed the failure threshold just
// before it would be removed; an answer resets its count.
func (t *tick) confirmAlive(r Record) bool {
	if t.reprobed[r.ID] {
		return t.alive[r.ID]
	}
	t.reprobed[r.ID] = true
	err := t.probe([]Record{r})[0]
	t.alive[r.ID] = err == nil
	if err == nil {
		t.e.fails[r.ID] = 0
		return true
	}
	return false
}

// confirmed reports whether r is known to answer now: this node itself
// (which may write only when reachable) or a record that passed its probe.
func (t *tick) confirmed(r Record) bool {
	return (t.canWrite && t.isSelf(r)) || t.alive[r.ID]
}

func (t *tick) allConfirmed(recs []Record) bool {
	for _, r := range recs {
		if !t.confirmed(r) {
			return false
		}
	}
	return true
}

// isSelf reports whether r publishes this node, while it may write.
func (t *tick) isSelf(r Record) bool { return t.canWrite && r.Addr == t.self }

// delete removes r and reports whether it is gone; one already gone counts.
func (t *tick) delete(r Record, why string) bool {
	err := t.e.cfg.Provider.Delete(t.ctx, r.ID)
	if err != nil && !errors.Is(err, ErrRecordNotFound) {
		t.errs = append(t.errs, fmt.Errorf("remove entry record %s (%s): %w", r.ID, r.Addr, err))
		return false
	}
	t.e.log.Info("removed entry record", "addr", t.addrPort(r), "id", r.ID, "reason", why)
	delete(t.e.fails, r.ID)
	return true
}

func (t *tick) addrPort(r Record) netip.AddrPort { return netip.AddrPortFrom(r.Addr, t.e.cfg.Port) }

// finish records the outcome of a check in the Elector's state. A nil view
// (the listing failed) keeps the previous entries.
func (e *Elector) finish(t *tick, view []Record) {
	now := e.clock.Now()
	if view != nil || e.cfg.Provider == nil {
		ids := map[string]bool{}
		for _, r := range view {
			ids[r.ID] = true
		}
		for id := range e.fails {
			if !ids[id] {
				delete(e.fails, id)
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := &e.state
	s.Checks++
	s.LastCheck = now
	s.LastCheckOK = len(t.errs) == 0
	if err := errors.Join(t.errs...); err != nil {
		s.LastError = err.Error()
		s.LastErrorAt = now
	}
	if view != nil || e.cfg.Provider == nil {
		s.Entries = make([]Entry, 0, len(view))
		for _, r := range view {
			self := t.self.IsValid() && r.Addr == t.self
			alive := t.alive[r.ID]
			if self && t.canWrite {
				alive = true
			}
			s.Entries = append(s.Entries, Entry{ID: r.ID, Addr: t.addrPort(r), Self: self,
				Alive: alive, Failures: e.fails[r.ID], CreatedOn: r.CreatedOn})
		}
	}
	s.Role = RoleNone
	switch {
	case t.self.IsValid() && slices.ContainsFunc(s.Entries, func(x Entry) bool { return x.Self }):
		s.Role = RoleEntry
	case t.canWrite:
		s.Role = RoleCandidate
	}
}
