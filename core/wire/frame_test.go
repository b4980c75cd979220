package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func header(version byte, t Type, n uint32) []byte {
	h := []byte{version, byte(t), 0, 0, 0, 0}
	binary.BigEndian.PutUint32(h[2:], n)
	return h
}

func TestFrameRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 100, MaxFrame - 1, MaxFrame}
	var buf bytes.Buffer
	var want [][]byte
	for i, n := range sizes {
		p := bytes.Repeat([]byte{byte(i + 1)}, n)
		want = append(want, p)
		if err := WriteFrame(&buf, TypeMsg, p); err != nil {
			t.Fatalf("write %d bytes: %v", n, err)
		}
	}
	for i := range sizes {
		typ, p, err := ReadFrame(&buf)
		if err != nil {
			t.Fatalf("read frame %d: %v", i, err)
		}
		if typ != TypeMsg || !bytes.Equal(p, want[i]) {
			t.Fatalf("frame %d: got type %v, %d bytes; want msg, %d bytes", i, typ, len(p), len(want[i]))
		}
	}
	if _, _, err := ReadFrame(&buf); err != io.EOF {
		t.Fatalf("read past the last frame: got %v, want io.EOF", err)
	}
}

func TestFrameHeaderLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteFrame(&buf, TypeBye, []byte("xyz")); err != nil {
		t.Fatal(err)
	}
	want := append(header(Version, TypeBye, 3), "xyz"...)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("encoded % x, want % x", buf.Bytes(), want)
	}
}

func TestWriteFrameRefuses(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteFrame(&buf, TypeMsg, make([]byte, MaxFrame+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized payload: got %v, want ErrTooLarge", err)
	}
	for _, typ := range []Type{0, TypeMedia + 1, 255} {
		if err := WriteFrame(&buf, typ, nil); !errors.Is(err, ErrUnknownType) {
			t.Fatalf("type %d: got %v, want ErrUnknownType", typ, err)
		}
	}
	if buf.Len() != 0 {
		t.Fatalf("refused frames wrote %d bytes", buf.Len())
	}
}

// endless yields zero bytes forever, so a reader that trusted a huge length
// would allocate and read without end instead of failing.
type endless struct{ read int }

func (e *endless) Read(p []byte) (int, error) {
	clear(p)
	e.read += len(p)
	return len(p), nil
}

func TestReadFrameRejects(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"bad version", header(Version+1, TypeMsg, 0), ErrVersion},
		{"version zero", header(0, TypeMsg, 0), ErrVersion},
		{"type zero", header(Version, 0, 0), ErrUnknownType},
		{"type past media", header(Version, TypeMedia+1, 0), ErrUnknownType},
		{"one past the limit", header(Version, TypeMsg, MaxFrame+1), ErrTooLarge},
		{"huge", header(Version, TypeMsg, 0xFFFFFFFF), ErrTooLarge},
		{"short header", []byte{Version, byte(TypeMsg), 0}, io.ErrUnexpectedEOF},
		{"short payload", append(header(Version, TypeMsg, 10), 1, 2, 3), io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := &endless{}
			r := io.MultiReader(bytes.NewReader(c.in), src)
			if c.want == io.ErrUnexpectedEOF {
				r = bytes.NewReader(c.in)
			}
			_, _, err := ReadFrame(r)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if src.read != 0 {
				t.Fatalf("read %d payload bytes after a refused header", src.read)
			}
		})
	}
}

func TestReadFrameEmptyIsEOF(t *testing.T) {
	if _, _, err := ReadFrame(bytes.NewReader(nil)); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}
}

func FuzzReadFrame(f *testing.F) {
	f.Add(append(header(Version, TypeMsg, 3), "abc"...))
	f.Add(header(Version, TypePing, 0))
	f.Add(append(header(Version, TypeCard, 20), make([]byte, 20)...))
	f.Add(header(Version, TypeMsg, MaxFrame+1))
	f.Add([]byte{Version})
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, p, err := ReadFrame(bytes.NewReader(data))
		if err != nil {
			return
		}
		if !typ.Known() || len(p) > MaxFrame {
			t.Fatalf("accepted type %d with %d bytes", typ, len(p))
		}
		var buf bytes.Buffer
		if err := WriteFrame(&buf, typ, p); err != nil {
			t.Fatalf("re-encode an accepted frame: %v", err)
		}
		if !bytes.HasPrefix(data, buf.Bytes()) {
			t.Fatalf("re-encoded frame % x is not a prefix of the input", buf.Bytes())
		}
	})
}
