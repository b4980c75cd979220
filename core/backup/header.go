package backup

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

// Magic starts every backup file.
const Magic = "TINCANBK"

// formatVersion is the version of the file format this code writes.
const formatVersion = 1

// kdfArgon2id names the key derivation in the header.
const kdfArgon2id = 1

// Sizes of the header's fields.
const (
	saltLen    = 16
	prefixLen  = 16 // nonce prefix; the chunk counter fills the rest of the 24-byte nonce
	headerLen  = len(Magic) + 1 + 1 + 4 + 4 + 1 + saltLen + prefixLen + 4
	chunkSize  = 64 << 10 // plaintext bytes per chunk written
	minChunk   = 1 << 10
	maxChunk   = 1 << 20
	maxTime    = 16
	minMemory  = 8 << 10 // KiB
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxThreads = 64
)

// Params are the Argon2id parameters a backup's key is derived with.
type Params struct {
	Time      uint32 // passes
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// DefaultParams are what Export uses: 64 MiB, 3 passes, 4 lanes.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 << 10, Threads: 4}

// ErrNotBackup means the file does not start like a tincan backup.
var ErrNotBackup = errors.New("this file is not a tincan backup")

// ErrNewerBackup means the backup was written by a newer tincan.
var ErrNewerBackup = errors.New("this backup was made by a newer tincan; update tincan to restore it")

// ErrBadBackup means the backup failed authentication: the passphrase is
// wrong, or the file was damaged or cut short.
var ErrBadBackup = errors.New("wrong passphrase or damaged backup")

// header is the plaintext start of a backup file.
type header struct {
	params Params
	salt   [saltLen]byte
	prefix [prefixLen]byte
	chunk  uint32
}

// newHeader returns a header with fresh random salt and nonce prefix.
func newHeader(p Params) (header, error) {
	if err := p.check(); err != nil {
		return header{}, err
	}
	h := header{params: p, chunk: chunkSize}
	if _, err := rand.Read(h.salt[:]); err != nil {
		return header{}, fmt.Errorf("salt: %w", err)
	}
	if _, err := rand.Read(h.prefix[:]); err != nil {
		return header{}, fmt.Errorf("nonce: %w", err)
	}
	return h, nil
}

// check keeps the parameters within what a reader accepts.
func (p Params) check() error {
	if p.Time < 1 || p.Time > maxTime || p.MemoryKiB < minMemory || p.MemoryKiB > maxMemory ||
		p.Threads < 1 || p.Threads > maxThreads {
		return fmt.Errorf("%w: key parameters out of range (%d passes, %d KiB, %d lanes)", ErrBadBackup, p.Time, p.MemoryKiB, p.Threads)
	}
	return nil
}

// marshal encodes h as: magic | version u8 | kdf u8 | time u32 | memory u32
// | threads u8 | salt | nonce prefix | chunk size u32 (big-endian).
func (h header) marshal() []byte {
	b := make([]byte, 0, headerLen)
	b = append(b, Magic...)
	b = append(b, formatVersion, kdfArgon2id)
	b = binary.BigEndian.AppendUint32(b, h.params.Time)
	b = binary.BigEndian.AppendUint32(b, h.params.MemoryKiB)
	b = append(b, h.params.Threads)
	b = append(b, h.salt[:]...)
	b = append(b, h.prefix[:]...)
	b = binary.BigEndian.AppendUint32(b, h.chunk)
	return b
}

// parseHeader decodes the first headerLen bytes of a backup, checking every
// field against its limits.
func parseHeader(b []byte) (header, error) {
	if len(b) < len(Magic) || string(b[:len(Magic)]) != Magic {
		return header{}, ErrNotBackup
	}
	if len(b) < len(Magic)+1 {
		return header{}, fmt.Errorf("%w: it ends inside its header", ErrBadBackup)
	}
	if v := b[len(Magic)]; v != formatVersion {
		if v > formatVersion {
			return header{}, ErrNewerBackup
		}
		return header{}, fmt.Errorf("%w: format version %d", ErrBadBackup, v)
	}
	if len(b) < headerLen {
		return header{}, fmt.Errorf("%w: it ends inside its header", ErrBadBackup)
	}
	p := b[len(Magic)+1:]
	if p[0] != kdfArgon2id {
		return header{}, fmt.Errorf("%w: unknown key derivation %d", ErrBadBackup, p[0])
	}
	var h header
	h.params.Time = binary.BigEndian.Uint32(p[1:])
	h.params.MemoryKiB = binary.BigEndian.Uint32(p[5:])
	h.params.Threads = p[9]
	if err := h.params.check(); err != nil {
		return header{}, err
	}
	p = p[10:]
	copy(h.salt[:], p)
	copy(h.prefix[:], p[saltLen:])
	h.chunk = binary.BigEndian.Uint32(p[saltLen+prefixLen:])
	if h.chunk < minChunk || h.chunk > maxChunk {
		return header{}, fmt.Errorf("%w: chunk size %d", ErrBadBackup, h.chunk)
	}
	return h, nil
}
