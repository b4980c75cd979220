package node

import (
	"strings"
	"testing"

	"tincan/core/store"
)

// The view cache keeps outgoing messages within its text budget and lets a
// delivered one go, making room for the next.
func TestViewCacheBoundsTheTextItHolds(t *testing.T) {
	var vc viewCache
	body := strings.Repeat("x", 64<<10)
	var ids []store.MessageID
	for i := range maxOutBytes/len(body) + 4 {
		m := store.Message{Body: body}
		m.ID[0], m.ID[1] = byte(i), byte(i>>8)
		ids = append(ids, m.ID)
		vc.sending(m)
	}
	if vc.bytes > maxOutBytes {
		t.Fatalf("the cache holds %d bytes of text, the bound is %d", vc.bytes, maxOutBytes)
	}
	last := ids[len(ids)-1]
	if _, ok := vc.outgoing(last, store.Sent); ok {
		t.Fatal("a message past the budget was kept")
	}
	if _, ok := vc.outgoing(ids[0], store.Delivered); !ok {
		t.Fatal("the first message was not kept")
	}
	if _, ok := vc.outgoing(ids[0], store.Sent); ok {
		t.Fatal("a delivered message stayed in the cache")
	}
	vc.sending(store.Message{ID: last, Body: body})
	if _, ok := vc.outgoing(last, store.Sent); !ok {
		t.Fatal("the room a delivered message left was not used")
	}
}
