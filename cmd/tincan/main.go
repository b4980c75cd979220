// Command tincan is the desktop app (by default), the headless daemon
// (`tincan daemon`) and the control CLI that drives either of them.
package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"tincan/core/control"
	"tincan/core/identity"
	"tincan/core/node"
)

var globalValues = []string{"home", "keystore", "log-level"}

// valueFlags are every flag that takes a value, so that a value standing
// before the command word ("tincan --listen :7001") is not taken for it.
// locale_linux.go keeps a copy of this list in C.
var valueFlags = append([]string{"listen", "open", "name", "addr", "limit", "keep", "bootstrap", "entry-name", "entry-port", "dns", "entry-zone", "cloudflare-api", "entry-interval", "entry-allow", "use-relays", "relay-sessions", "relay-rate", "relay", "stun", "audio"}, globalValues...)

const usageText = `usage:
  tincan [--home DIR] [--hidden]      desktop app (the node runs in-process); --hidden starts in the tray, as at login
  tincan daemon [flags]               headless node
  tincan id [--json]                  print my contact card
  tincan contacts add NAME CARD [--addr HOST:PORT] [--json]
  tincan contacts list [--json]
  tincan contacts remove NAME
  tincan send NAME TEXT [--json]
  tincan history NAME [--json] [--limit N]
  tincan status [--json]
  tincan rotate [--keep NAME,...] [--new-key] [--json]
                                      new secret ID (and key) sent to the kept
                                      contacts (all by default); the rest are revoked
  tincan relay allow NAME | deny NAME answer "connect to NAME through a relay?"
  tincan relay use ask|always|never   whether to use relays when no direct path works
  tincan relay serve on|off           whether to relay for others
  tincan relay caps SESSIONS KIB_PER_S what relaying for others may take
  tincan call NAME                    call a contact (progress in 'tincan status')
  tincan answer NAME | decline NAME   take or refuse the call ringing from NAME
  tincan hangup                       end the current call
  tincan mute on|off                  mute or unmute the microphone in the call
  tincan export FILE | import FILE    back up identity, contacts and history to one
                                      passphrase-encrypted file, or restore it here
  tincan --version                    print the version and the commit it was built from

global flags: --home DIR (or TINCAN_HOME), --keystore keychain|file, --log-level debug|info|warn|error
daemon flags: --name NAME (creates the identity on first run), --listen HOST:PORT (default :7448)
joining (daemon and app): --bootstrap HOST:PORT,... --entry-name NAME [--entry-port P] [--dns HOST:PORT] --no-overlay --no-lan
NAT traversal (daemon and app): --use-relays ask|always|never (default ask), --serve-relay | --no-serve-relay,
  --relay IP:PORT,... (known relays), --relay-sessions N (default 16), --relay-rate KIB_PER_S (default 256), --no-portmap (no PCP / NAT-PMP / UPnP), --stun IP:PORT,... (extra STUN servers)
calls (daemon and app): --audio default|null|wav:IN.wav,OUT.wav (WAV: IN played as the microphone, what is heard written to OUT)
entry point (reachable nodes): --entry-zone ZONE with CLOUDFLARE_API_TOKEN set once [--entry-interval 1m]
  [--entry-allow PREFIX,...] (publish an address in these non-global prefixes too: a private network or a lab)
exit codes: 0 done, 1 failed, 2 bad usage or bad input`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns its exit code.
func run(argv []string, stdout, stderr io.Writer) int {
	cmd, rest := splitCommand(argv)
	err := dispatch(cmd, rest, stdout, stderr)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "tincan: "+oneLine(err.Error()))
	return exitCode(err)
}

func isValueFlag(s string) bool {
	name := strings.TrimLeft(s, "-")
	for _, v := range valueFlags {
		if v == name {
			return true
		}
	}
	return false
}

// splitCommand finds the command word, skipping global flags and their values.
func splitCommand(argv []string) (string, []string) {
	for i := 0; i < len(argv); i++ {
		s := argv[i]
		if s == "--" {
			return "", argv
		}
		if strings.HasPrefix(s, "-") {
			if !strings.Contains(s, "=") && isValueFlag(s) {
				i++
			}
			continue
		}
		rest := append(append([]string{}, argv[:i]...), argv[i+1:]...)
		return s, rest
	}
	return "", argv
}

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return control.CodeBadInput
	}
	var re errRemote
	if errors.As(err, &re) {
		return re.code
	}
	return node.ExitCode(err)
}

// hasVersionFlag reports a --version or -v among the flags of a command
// line that has no command word.
func hasVersionFlag(flags []string) bool {
	for _, f := range flags {
		if f == "--version" || f == "-v" {
			return true
		}
	}
	return false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func dispatch(cmd string, rest []string, stdout, stderr io.Writer) error {
	if cmd == "" && hasVersionFlag(rest) {
		return runVersion(stdout)
	}
	switch cmd {
	case "", "gui":
		return runGUI(rest, stderr)
	case "daemon":
		return runDaemon(rest, stderr)
	case "id", "contacts", "send", "history", "status", "rotate", "relay",
		"call", "answer", "decline", "hangup", "mute":
		return runClient(cmd, rest, stdout)
	case "version", "--version", "-v":
		return runVersion(stdout)
	case "export", "import":
		return runBackup(cmd, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usageText)
		return nil
	}
	return usagef("unknown command %q (run 'tincan help')", cmd)
}

// common holds the global settings every command takes.
type common struct {
	home     string
	keystore string
	logLevel slog.Level
}

func commonFrom(a args) (common, error) {
	c := common{home: a.get("home", os.Getenv("TINCAN_HOME")), keystore: a.get("keystore", "keychain")}
	if c.home == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return c, fmt.Errorf("no --home given and no config dir: %w", err)
		}
		c.home = filepath.Join(dir, "tincan")
	}
	abs, err := filepath.Abs(c.home)
	if err != nil {
		return c, fmt.Errorf("home %s: %w", c.home, err)
	}
	c.home = abs
	if c.keystore != "keychain" && c.keystore != "file" {
		return c, usagef("--keystore must be keychain or file, not %q", c.keystore)
	}
	if err := c.logLevel.UnmarshalText([]byte(a.get("log-level", "info"))); err != nil {
		return c, usagef("--log-level: %v", err)
	}
	return c, nil
}

// openKeystore returns the keystore the user chose.
func (c common) openKeystore() identity.Keystore {
	if c.keystore == "file" {
		return identity.NewFileKeystore(filepath.Join(c.home, "keystore"))
	}
	return identity.NewKeychain()
}

func (c common) logger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: c.logLevel}))
}

// withGlobals adds the global flags to a command's flag spec.
func withGlobals(s flagSpec) flagSpec {
	s.values = append(s.values, globalValues...)
	return s
}
