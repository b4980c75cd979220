package autostart

import (
	"strings"
	"testing"
)

func TestDesktopExecQuoting(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"/usr/bin/tincan", "--hidden"}, `/usr/bin/tincan --hidden`},
		{[]string{"/opt/my apps/tincan"}, `"/opt/my apps/tincan"`},
		{[]string{"/x", "--home", `C:\a "b" $c`}, `/x --home "C:\\\\a \\"b\\" \\$c"`},
		{[]string{"/x", "100%"}, `/x 100%%`},
		{[]string{"/x", "--home=/h"}, `/x "--home=/h"`},
		{[]string{"/x", ""}, `/x ""`},
		{[]string{"/x", "a\nb"}, `/x "a\nb"`},
	} {
		if got := desktopExec(tc.words[0], tc.words[1:]); got != tc.want {
			t.Errorf("Exec for %q should be %s, got %s", tc.words, tc.want, got)
		}
	}
}

// parseExec reads an Exec value back the way a desktop does: the string
// value's escapes, then the quoting, then %% to %.
func parseExec(v string) ([]string, bool) {
	var s strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			s.WriteByte(v[i])
			continue
		}
		if i++; i == len(v) {
			return nil, false
		}
		switch v[i] {
		case '\\':
			s.WriteByte('\\')
		case 'n':
			s.WriteByte('\n')
		case 't':
			s.WriteByte('\t')
		case 'r':
			s.WriteByte('\r')
		case 's':
			s.WriteByte(' ')
		default:
			return nil, false
		}
	}
	str := s.String()
	var words []string
	for i := 0; i < len(str); {
		var w strings.Builder
		if str[i] == '"' {
			i++
			for ; i < len(str) && str[i] != '"'; i++ {
				if str[i] == '\\' {
					i++
					if i == len(str) || !strings.ContainsRune("\"`$\\", rune(str[i])) {
						return nil, false
					}
				}
				w.WriteByte(str[i])
			}
			if i == len(str) {
				return nil, false
			}
			i++
		} else {
			for ; i < len(str) && str[i] != ' '; i++ {
				if strings.ContainsRune(execReserved, rune(str[i])) {
					return nil, false
				}
				w.WriteByte(str[i])
			}
		}
		words = append(words, strings.ReplaceAll(w.String(), "%%", "%"))
		if i < len(str) {
			if str[i] != ' ' {
				return nil, false
			}
			i++
		}
	}
	return words, true
}

func FuzzDesktopExec(f *testing.F) {
	f.Add("/usr/bin/tincan", "--home", `/tmp/a b"c$d\e`)
	f.Add("/x", "100%", "a\nb\tc")
	f.Add("", "", "=")
	f.Fuzz(func(t *testing.T, exe, a1, a2 string) {
		words := []string{exe, a1, a2}
		v := desktopExec(exe, []string{a1, a2})
		if strings.ContainsAny(v, "\n\r") {
			t.Fatalf("an Exec value must stay on one line, got %q", v)
		}
		got, ok := parseExec(v)
		if !ok || len(got) != len(words) {
			t.Fatalf("Exec %q should read back as %q, got %q (ok %v)", v, words, got, ok)
		}
		for i := range words {
			if got[i] != words[i] {
				t.Fatalf("Exec %q should read back as %q, got %q", v, words, got)
			}
		}
	})
}
