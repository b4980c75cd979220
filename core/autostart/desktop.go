package autostart

import "strings"

// desktopEntry is the XDG autostart entry that starts exe with args.
func desktopEntry(exe string, args []string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=tincan\n" +
		"Comment=Peer-to-peer chat and calls, waiting in the tray\n" +
		"Exec=" + desktopExec(exe, args) + "\n" +
		"Icon=tincan\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// desktopExec is the value of an Exec key that runs exe with args, quoted
// as the Desktop Entry Specification asks: an argument with a reserved
// character goes in double quotes with ", `, $ and \ escaped by a
// backslash; % (a field code's start) is doubled; then the string value's
// own escapes apply (\ doubled, \n, \t, \r).
func desktopExec(exe string, args []string) string {
	words := make([]string, 0, 1+len(args))
	for _, w := range append([]string{exe}, args...) {
		words = append(words, escapeValue(quoteArg(w)))
	}
	return strings.Join(words, " ")
}

// execReserved are the characters that make an Exec argument need quotes.
const execReserved = " \t\n\"'\\><~|&;$*?#()`="

// quoteArg quotes one Exec argument if it needs it, and doubles %.
func quoteArg(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if s != "" && !strings.ContainsAny(s, execReserved) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ { // bytewise: a path need not be UTF-8
		if strings.IndexByte("\"`$\\", s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// escapeValue applies a desktop file string value's escapes.
func escapeValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}
