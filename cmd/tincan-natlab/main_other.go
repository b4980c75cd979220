//go:build !linux

// Command tincan-natlab measures tincan across kernel NATs in Linux network
// namespaces; it runs on Linux only.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "tincan-natlab: needs Linux (network namespaces and nftables)")
	os.Exit(2)
}
