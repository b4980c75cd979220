package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"tincan/core/identity"
	"tincan/core/node"
)

// DefaultListen is where a node accepts chat sessions unless told otherwise.
const DefaultListen = ":7448"

// runDaemon runs a headless node until SIGINT or SIGTERM.
func runDaemon(rest []string, stderr io.Writer) error {
	a, c, opts, err := parseNodeCommand(rest, []string{"name", "listen"},
		"tincan daemon [--name NAME] [--listen HOST:PORT] [--bootstrap HOST:PORT,...] [--entry-name NAME] [--dns HOST:PORT] [--use-relays ask|always|never] [--serve-relay] [--home DIR] [--keystore keychain|file]")
	if err != nil {
		return err
	}
	log := c.logger(stderr)
	ks := c.openKeystore()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts.Keystore, opts.Logger = ks, log
	n, err := node.Open(opts)
	if errors.Is(err, identity.ErrNoIdentity) {
		name := a.get("name", "")
		if name == "" {
			return usagef("%s has no identity yet: run 'tincan daemon --name NAME' once to create one", c.home)
		}
		log.Info("generating identity (RSA-3072)", "name", name)
		if err := node.Create(c.home, ks, name); err != nil {
			return err
		}
		n, err = node.Open(opts)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "tincan daemon ready: home=%s listen=%s\n", n.Home(), n.ListenAddr())
	<-ctx.Done()
	log.Info("stopping")
	return n.Close()
}
