package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"

	"tincan/core/backup"
	"tincan/core/identity"
)

// PassphraseEnv hands export and import their passphrase without a terminal
// (scripts, tests).
const PassphraseEnv = "TINCAN_PASSPHRASE"

// runBackup runs `tincan export FILE` and `tincan import FILE`. Export works
// while the home's node runs (the database is copied in one read
// transaction); import needs a home without an identity.
func runBackup(cmd string, rest []string, stdout, stderr io.Writer) error {
	a, err := parseArgs(rest, withGlobals(flagSpec{}))
	if err != nil {
		return err
	}
	if err := a.want(1, cmd+" FILE [--home DIR] [--keystore keychain|file]"); err != nil {
		return err
	}
	c, err := commonFrom(a)
	if err != nil {
		return err
	}
	slog.SetDefault(c.logger(stderr)) // library warnings (the file keystore's) at the chosen level
	file := a.pos[0]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ks := c.openKeystore()
	if cmd == "export" {
		pass, err := passphrase(stderr, true)
		if err != nil {
			return err
		}
		if err := backup.Export(ctx, c.home, ks, file, pass, backup.DefaultParams, nil); err != nil {
			return backupErr(err)
		}
		fmt.Fprintf(stdout, "Backed up %s to %s. Keep the passphrase safe: without it the backup cannot be opened.\n", c.home, file)
		return nil
	}
	pass, err := passphrase(stderr, false)
	if err != nil {
		return err
	}
	if err := backup.Import(ctx, file, pass, c.home, ks, nil); err != nil {
		return backupErr(err)
	}
	id, err := identity.Load(c.home, ks)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Restored %s into %s (keys in the %s keystore). Start tincan with this home to use it.\n", id.Name, c.home, ks.Kind())
	return nil
}

// backupErr makes the refusals a user can fix bad input (exit 2).
func backupErr(err error) error {
	for _, e := range []error{backup.ErrShortPassphrase, backup.ErrHasIdentity, backup.ErrNothingToExport, backup.ErrNotBackup} {
		if errors.Is(err, e) {
			return usageError{msg: e.Error()}
		}
	}
	return err
}

// passphrase returns PassphraseEnv if set, or reads one from the terminal
// without echo (twice when choosing one for an export).
func passphrase(stderr io.Writer, twice bool) ([]byte, error) {
	if p, ok := os.LookupEnv(PassphraseEnv); ok {
		return []byte(p), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, usagef("no passphrase: type it at a terminal, or set %s", PassphraseEnv)
	}
	prompt := "Passphrase: "
	if twice {
		prompt = fmt.Sprintf("Choose a passphrase for the backup (at least %d characters): ", backup.MinPassphrase)
	}
	p, err := readHidden(fd, stderr, prompt)
	if err != nil || !twice {
		return p, err
	}
	again, err := readHidden(fd, stderr, "The same passphrase again: ")
	if err != nil {
		return nil, err
	}
	if string(again) != string(p) {
		return nil, usagef("the two passphrases differ; nothing was written")
	}
	return p, nil
}

func readHidden(fd int, stderr io.Writer, prompt string) ([]byte, error) {
	fmt.Fprint(stderr, prompt)
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return nil, fmt.Errorf("read the passphrase: %w", err)
	}
	return []byte(strings.TrimRight(string(p), "\r\n")), nil
}
