package node

import (
	"context"
	"fmt"
)

// Search returns the chat messages of all conversations that hold every
// word of query (as a word or the start of one, ignoring case and
// accents), newest first, at most limit (clamped to 1..500). A query with
// no letters or digits finds nothing.
func (n *Node) Search(ctx context.Context, query string, limit int) ([]MessageView, error) {
	cs, err := n.st.Contacts(ctx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	names := make(map[int64]string, len(cs))
	for _, c := range cs {
		names[c.ID] = c.Name
	}
	ms, err := n.st.Search(ctx, query, limit)
	if err != nil {
		return nil, err
	}
	out := make([]MessageView, 0, len(ms))
	for _, m := range ms {
		if name, ok := names[m.ContactID]; ok {
			out = append(out, messageView(name, m))
		}
	}
	return out, nil
}
