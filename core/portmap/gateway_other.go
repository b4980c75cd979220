//go:build !linux

package portmap

import (
	"fmt"
	"net/netip"
)

// defaultGateway is only known on Linux; elsewhere NAT-PMP needs
// Options.Gateway, and UPnP finds the gateway by its SSDP answer.
func defaultGateway() (netip.Addr, error) {
	return netip.Addr{}, fmt.Errorf("reading the route table on this system: %w", errNoGateway)
}
