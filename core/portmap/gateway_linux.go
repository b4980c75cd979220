//go:build linux

package portmap

import (
	"fmt"
	"io"
	"net/netip"
	"os"
)

// defaultGateway reads the default route's gateway from the kernel, in the
// network namespace of the calling thread.
func defaultGateway() (netip.Addr, error) {
	f, err := os.Open("/proc/thread-self/net/route")
	if err != nil {
		f, err = os.Open("/proc/net/route")
	}
	if err != nil {
		return netip.Addr{}, fmt.Errorf("route table: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxRouteTable))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("route table: %w", err)
	}
	return parseRoute(b)
}
