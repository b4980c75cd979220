package audio

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    Spec
		wantErr string // part of the error; "" = must parse
	}{
		{"", Spec{Kind: SpecDefault}, ""},
		{"default", Spec{Kind: SpecDefault}, ""},
		{"null", Spec{Kind: SpecNull}, ""},
		{"wav:a.wav,b.wav", Spec{Kind: SpecWAV, In: "a.wav", Out: "b.wav"}, ""},
		{"wav:/tmp/in x.wav,/tmp/out.wav", Spec{Kind: SpecWAV, In: "/tmp/in x.wav", Out: "/tmp/out.wav"}, ""},
		{"pulse", Spec{}, `want "default", "null"`},
		{"Null", Spec{}, `want "default", "null"`},
		{" null", Spec{}, `want "default", "null"`},
		{"wav:", Spec{}, "exactly two files"},
		{"wav:a.wav", Spec{}, "exactly two files"},
		{"wav:a.wav,b.wav,c.wav", Spec{}, "exactly two files"},
		{"wav:,b.wav", Spec{}, "empty"},
		{"wav:a.wav,", Spec{}, "empty"},
		{"wav:a.wav,a.wav", Spec{}, "different files"},
	} {
		got, err := ParseSpec(c.in)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("ParseSpec(%q) failed: %v", c.in, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("ParseSpec(%q) returned error %v, want one saying %q", c.in, err, c.wantErr)
		case c.wantErr != "" && strings.Contains(err.Error(), "\n"):
			t.Errorf("ParseSpec(%q)'s reason is not one line: %q", c.in, err)
		case c.wantErr == "" && got != c.want:
			t.Errorf("ParseSpec(%q) = %+v, want %+v", c.in, got, c.want)
		case c.wantErr == "":
			if again, err := ParseSpec(got.String()); err != nil || again != got {
				t.Errorf("%+v prints as %q, which parses to %+v (%v)", got, got.String(), again, err)
			}
		}
	}
}

func TestSpecOpens(t *testing.T) {
	null, err := Spec{Kind: SpecNull}.Open(MalgoConfig{})
	if err != nil || !strings.HasPrefix(null.Name(), "null") {
		t.Fatalf("opening the null spec gave %v (%v), want a null-backend device", null, err)
	}
	in := writeFile(t, "in.wav", wavBytes(SampleRate, 1, 16, make([]int16, 10)))
	out := filepath.Join(t.TempDir(), "out.wav")
	spec, err := ParseSpec("wav:" + in + "," + out)
	if err != nil {
		t.Fatal(err)
	}
	wav, err := spec.Open(MalgoConfig{})
	if err != nil || wav.Name() != "wav:"+in+","+out {
		t.Fatalf("opening %v gave %v (%v), want the WAV device", spec, wav, err)
	}
}
