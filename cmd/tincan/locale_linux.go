//go:build linux && cgo

package main

/*
#include <string.h>

// Fyne logs "Error parsing user locale C" from package init when a locale
// variable says C.UTF-8 (Debian's default), before main can do anything. The
// CLI promises one line on stderr, so for command-line runs (not the desktop
// app, whose X input method wants the UTF-8 locale) this rewrites "C.<enc>"
// to plain "C", the same locale to Go, before the Go runtime reads the
// environment. glibc passes argc, argv and envp to constructors.
// Flags that take a value as the next word (see valueFlags in main.go).
static const char *tincan_value_flags[] = {"home", "keystore", "log-level", "listen", "open", "name",
	"addr", "limit", "keep", "bootstrap", "entry-name", "entry-port", "dns", "entry-zone",
	"cloudflare-api", "entry-interval", "entry-allow", "use-relays", "relay-sessions", "relay-rate", "relay", "stun", "audio", 0};
static const char *tincan_locale_vars[] = {"LANG=C.", "LC_ALL=C.", "LC_MESSAGES=C.", "LANGUAGE=C.", 0};

__attribute__((constructor)) static void tincan_plain_c_locale(int argc, char **argv, char **envp) {
	// A command word (any but "gui") makes this a command-line run; none is the app.
	int cli = 0;
	for (int i = 1; i < argc && argv != 0; i++) {
		const char *a = argv[i];
		if (a[0] == '-') {
			if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0) {
				cli = 1;
				break;
			}
			while (*a == '-') {
				a++;
			}
			if (strchr(a, '=') == 0) {
				for (const char **f = tincan_value_flags; *f; f++) {
					if (strcmp(a, *f) == 0) {
						i++;
						break;
					}
				}
			}
			continue;
		}
		cli = strcmp(a, "gui") != 0;
		break;
	}
	if (!cli || envp == 0) {
		return;
	}
	for (char **e = envp; *e; e++) {
		for (const char **v = tincan_locale_vars; *v; v++) {
			size_t n = strlen(*v);
			if (strncmp(*e, *v, n) == 0) {
				(*e)[n - 1] = '\0';
			}
		}
	}
}
*/
import "C"
