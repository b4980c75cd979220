package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"tincan/core/store"
)

// storageFloor saves n incoming messages of size bytes in one SQLite
// transaction of tincan's own store, on dir's disk, with no network and no
// protocol: the most messages a second any design that keeps each message
// as a row of this store can take in. Reported beside the bursts so that
// their targets can be read against what storage alone allows.
func storageFloor(dir string, n, size int) (float64, error) {
	home, err := os.MkdirTemp(dir, "floor-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(home)
	st, err := store.Open(filepath.Join(home, "tincan.db"))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	ctx := context.Background()
	key := make([]byte, 64)
	rand.Read(key)
	fp := sha256.Sum256(key)
	c, err := st.AddContact(ctx, store.Contact{Name: "floor", Card: "card", PublicKey: key, Fingerprint: fp[:], SecretID: make([]byte, 16)})
	if err != nil {
		return 0, err
	}
	msgs := make([]store.Message, n)
	for i := range msgs {
		var id store.MessageID
		rand.Read(id[:])
		msgs[i] = store.Message{ID: id, ContactID: c.ID, Body: fmt.Sprintf("%0*d", size, i), SentAt: time.Now()}
	}
	start := time.Now()
	err = st.Batch(ctx, func(b *store.Batch) error {
		for _, m := range msgs {
			if _, _, err := b.SaveIncoming(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save %d messages: %w", n, err)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
