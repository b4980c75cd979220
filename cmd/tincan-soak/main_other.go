//go:build !linux

// Command tincan-soak runs real tincan daemons under faults; it needs Linux
// (network namespaces, nftables, tmpfs) and root.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "tincan-soak: needs Linux (network namespaces, nftables and tmpfs) and root")
	os.Exit(2)
}
