package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

// fuzzHeader is a fixed header with the smallest chunk, so that short
// inputs span several chunks.
func fuzzHeader() header {
	h := header{params: fastParams, chunk: minChunk}
	for i := range h.salt {
		h.salt[i] = byte(i)
	}
	for i := range h.prefix {
		h.prefix[i] = byte(0xa0 + i)
	}
	return h
}

var fuzzKey = bytes.Repeat([]byte{7}, 32)

// sealed returns the chunks (without header) sealing plaintext.
func sealed(t testing.TB, plaintext []byte) []byte {
	var buf bytes.Buffer
	sw, err := newSealWriter(&buf, fuzzKey, fuzzHeader())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Write(plaintext); err != nil {
		t.Fatal(err)
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()[headerLen:]
}

func FuzzParseHeader(f *testing.F) {
	h := fuzzHeader()
	f.Add(h.marshal())
	d, _ := newHeader(DefaultParams)
	f.Add(d.marshal())
	f.Add([]byte(Magic))
	f.Add([]byte("TINCANBK\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHeader(b)
		if err != nil {
			return
		}
		if got := h.marshal(); !bytes.Equal(got, b[:headerLen]) {
			t.Fatalf("accepted header re-encodes as %x, read from %x", got, b[:headerLen])
		}
		if h.params.check() != nil || h.chunk < minChunk || h.chunk > maxChunk {
			t.Fatalf("accepted a header out of limits: %+v", h)
		}
	})
}

// FuzzOpenStream: whatever chunks open re-seal to exactly the same bytes
// (the nonces are fixed by the header and the counter), so nothing is
// accepted that the writer would not have written.
func FuzzOpenStream(f *testing.F) {
	for _, n := range []int{0, 1, minChunk - 1, minChunk, minChunk + 1, 3 * minChunk} {
		f.Add(sealed(f, bytes.Repeat([]byte{'x'}, n)))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		or, err := newOpenReader(bytes.NewReader(b), fuzzKey, fuzzHeader())
		if err != nil {
			t.Fatal(err)
		}
		pt, err := io.ReadAll(or)
		if err != nil {
			if !errors.Is(err, ErrBadBackup) {
				t.Fatalf("a bad stream gave %v, want ErrBadBackup", err)
			}
			return
		}
		if again := sealed(t, pt); !bytes.Equal(again, b) {
			t.Fatalf("%d accepted bytes re-seal to %d different bytes", len(b), len(again))
		}
	})
}

type fuzzEntry struct {
	name string
	data []byte
}

func encodeArchive(t testing.TB, es []fuzzEntry) []byte {
	var buf bytes.Buffer
	for _, e := range es {
		if err := writeEntry(&buf, e.name, int64(len(e.data)), bytes.NewReader(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeEnd(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadArchive: an accepted archive holds only known names, within their
// limits, each once, the required ones all there, and re-encodes to the
// same bytes.
func FuzzReadArchive(f *testing.F) {
	full := []fuzzEntry{
		{entryMasterKey, bytes.Repeat([]byte{1}, 32)}, {entryHomeID, []byte("00112233445566778899aabbccddeeff\n")},
		{entryIdentity, []byte("tincan-identity\x02...")}, {entryRetired, []byte("r")},
		{entryToken, []byte("tok")}, {entryDatabase, []byte("SQLite format 3\x00")},
	}
	f.Add(encodeArchive(f, full))
	f.Add(encodeArchive(f, full[:4]))
	f.Add(encodeArchive(f, append(full[:4:4], full[5])))
	f.Add([]byte{tagEnd})
	f.Add([]byte{tagEntry, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		var got []fuzzEntry
		err := readArchive(bytes.NewReader(b), func(name string, size int64, r io.Reader) error {
			if limit, ok := entryLimits[name]; !ok || size > limit {
				t.Fatalf("the sink was handed %q of %d bytes", name, size)
			}
			data, err := io.ReadAll(r)
			got = append(got, fuzzEntry{name, data})
			return err
		})
		if err != nil {
			if !errors.Is(err, ErrBadBackup) {
				t.Fatalf("a bad archive gave %v, want ErrBadBackup", err)
			}
			return
		}
		for _, name := range requiredEntries {
			found := false
			for _, e := range got {
				found = found || e.name == name
			}
			if !found {
				t.Fatalf("accepted an archive without %s", name)
			}
		}
		if again := encodeArchive(t, got); !bytes.Equal(again, b) {
			t.Fatalf("accepted archive re-encodes differently:\n%x\n%x", b, again)
		}
	})
}

// The exact bytes, so that a change to the format made on both sides at
// once cannot pass unseen.
func TestPinnedBytes(t *testing.T) {
	h := fuzzHeader()
	wantHeader := "54494e43414e424b" + "01" + "01" + "00000001" + "00002000" + "01" +
		"000102030405060708090a0b0c0d0e0f" + "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" + "00000400"
	if got := hex.EncodeToString(h.marshal()); got != wantHeader {
		t.Errorf("header = %s\n   want %s", got, wantHeader)
	}
	if got := hex.EncodeToString(deriveKey([]byte("passphrase"), h)); got != pinnedKey {
		t.Errorf("Argon2id key = %s, want %s", got, pinnedKey)
	}
	sum := sha256.Sum256(sealed(t, bytes.Repeat([]byte("tincan"), 400)))
	if got := hex.EncodeToString(sum[:]); got != pinnedStream {
		t.Errorf("sealed stream SHA-256 = %s, want %s", got, pinnedStream)
	}
}

const (
	pinnedKey    = "4af6a021057c06b0653d938b1a2cfac09e2e72d4396b98b8b8ae723af2989210"
	pinnedStream = "1db9f4a8951213998995f82b894b2d1ede4ee0937071fe5a9e53c8f4d682cf05"
)
