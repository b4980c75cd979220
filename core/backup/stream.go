package backup

import (
	"bufio"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// deriveKey runs Argon2id over the passphrase with the header's parameters.
func deriveKey(passphrase []byte, h header) []byte {
	p := h.params
	return argon2.IDKey(passphrase, h.salt[:], p.Time, p.MemoryKiB, p.Threads, chacha20poly1305.KeySize)
}

// nonce is the header's prefix followed by the chunk counter.
func nonce(h header, n uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{}, h.prefix[:]...), n)
}

// ad is the header followed by the final-chunk flag.
func ad(hdr []byte, final bool) []byte {
	flag := byte(0)
	if final {
		flag = 1
	}
	return append(append([]byte{}, hdr...), flag)
}

// sealWriter encrypts what is written to it in chunks; Close seals the
// final chunk (possibly empty), so a reader can tell a cut-short file.
type sealWriter struct {
	w    io.Writer
	aead cipher.AEAD
	h    header
	hdr  []byte
	buf  []byte
	n    uint64
	out  []byte
}

// newSealWriter writes the header to w and returns the chunk writer.
func newSealWriter(w io.Writer, key []byte, h header) (*sealWriter, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	hdr := h.marshal()
	if _, err := w.Write(hdr); err != nil {
		return nil, err
	}
	return &sealWriter{w: w, aead: aead, h: h, hdr: hdr, buf: make([]byte, 0, h.chunk)}, nil
}

func (s *sealWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if len(s.buf) == int(s.h.chunk) { // full, and more follows: not final
			if err := s.flush(false); err != nil {
				return written, err
			}
		}
		k := copy(s.buf[len(s.buf):cap(s.buf)], p)
		s.buf = s.buf[:len(s.buf)+k]
		p, written = p[k:], written+k
	}
	return written, nil
}

func (s *sealWriter) flush(final bool) error {
	s.out = s.aead.Seal(s.out[:0], nonce(s.h, s.n), s.buf, ad(s.hdr, final))
	s.n++
	s.buf = s.buf[:0]
	_, err := s.w.Write(s.out)
	return err
}

// Close seals the final chunk.
func (s *sealWriter) Close() error { return s.flush(true) }

// openReader decrypts the chunks that follow a header. Read returns
// ErrBadBackup (wrapped) for any chunk that fails authentication, including
// a file cut short or with bytes after its final chunk.
type openReader struct {
	r     *bufio.Reader
	aead  cipher.AEAD
	h     header
	hdr   []byte
	n     uint64
	in    []byte
	plain []byte
	done  bool
}

func newOpenReader(r io.Reader, key []byte, h header) (*openReader, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	size := int(h.chunk) + aead.Overhead()
	return &openReader{r: bufio.NewReaderSize(r, size+1), aead: aead, h: h, hdr: h.marshal(), in: make([]byte, size)}, nil
}

func (o *openReader) Read(p []byte) (int, error) {
	for len(o.plain) == 0 {
		if o.done {
			return 0, io.EOF
		}
		if err := o.next(); err != nil {
			return 0, err
		}
	}
	k := copy(p, o.plain)
	o.plain = o.plain[k:]
	return k, nil
}

// next reads and opens one chunk. A chunk is the final one when the file
// ends right after it; it must have been sealed as final.
func (o *openReader) next() error {
	k, err := io.ReadFull(o.r, o.in)
	final := false
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		final = true
	case err != nil:
		return fmt.Errorf("read backup: %w", err)
	default:
		if _, err := o.r.Peek(1); errors.Is(err, io.EOF) {
			final = true
		} else if err != nil {
			return fmt.Errorf("read backup: %w", err)
		}
	}
	pt, err := o.aead.Open(o.in[:0], nonce(o.h, o.n), o.in[:k], ad(o.hdr, final))
	if err != nil {
		return ErrBadBackup
	}
	o.n++
	o.plain, o.done = pt, final
	return nil
}
