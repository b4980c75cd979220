package portmap

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// errNoGateway means this host has no default route through a gateway.
var errNoGateway = errors.New("no default gateway")

// maxRouteTable bounds how much of the kernel's route table is read.
const maxRouteTable = 64 << 10

// parseRoute finds the default IPv4 gateway, with the lowest metric, in the
// text of Linux's /proc/net/route.
func parseRoute(b []byte) (netip.Addr, error) {
	if len(b) > maxRouteTable {
		b = b[:maxRouteTable]
	}
	const rtfUp, rtfGateway = 0x1, 0x2
	best, bestMetric := netip.Addr{}, uint64(0)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		gw, err1 := strconv.ParseUint(f[2], 16, 32)
		flags, err2 := strconv.ParseUint(f[3], 16, 16)
		metric, err3 := strconv.ParseUint(f[6], 10, 32)
		if err1 != nil || err2 != nil || err3 != nil || flags&(rtfUp|rtfGateway) != rtfUp|rtfGateway {
			continue
		}
		var a [4]byte
		binary.NativeEndian.PutUint32(a[:], uint32(gw))
		addr := netip.AddrFrom4(a)
		if addr.IsUnspecified() {
			continue
		}
		if !best.IsValid() || metric < bestMetric {
			best, bestMetric = addr, metric
		}
	}
	if !best.IsValid() {
		return netip.Addr{}, fmt.Errorf("route table: %w", errNoGateway)
	}
	return best, nil
}
