package ui

import (
	"context"
	"errors"
	"slices"
	"strings"

	"tincan/core/node"
)

// The paging, last-message and search calls of the in-memory backend.

func (b *memBackend) HistoryBefore(_ context.Context, name, before string, limit int) ([]node.MessageView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ms := b.msgs[name]
	i := slices.IndexFunc(ms, func(m node.MessageView) bool { return m.ID == before })
	if i < 0 {
		return nil, errors.New("no such message")
	}
	return slices.Clone(ms[max(0, i-limit):i]), nil
}

func (b *memBackend) HistoryAfter(_ context.Context, name, after string, limit int) ([]node.MessageView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ms := b.msgs[name]
	i := slices.IndexFunc(ms, func(m node.MessageView) bool { return m.ID == after })
	if i < 0 {
		return nil, errors.New("no such message")
	}
	return slices.Clone(ms[i+1 : min(len(ms), i+1+limit)]), nil
}

func (b *memBackend) LastMessages(context.Context) (map[string]node.MessageView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]node.MessageView{}
	for name, ms := range b.msgs {
		if len(ms) > 0 {
			out[name] = ms[len(ms)-1]
		}
	}
	return out, nil
}

// Search finds messages holding every word of query, newest first.
func (b *memBackend) Search(_ context.Context, query string, limit int) ([]node.MessageView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	words := strings.Fields(strings.ToLower(query))
	var out []node.MessageView
	for _, ms := range b.msgs {
	next:
		for _, m := range ms {
			for _, w := range words {
				if !strings.Contains(strings.ToLower(m.Text), w) {
					continue next
				}
			}
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(x, y node.MessageView) int { return y.At.Compare(x.At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
