//go:build linux

package natlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"
)

// upnpHTTPPort is where miniupnpd serves its description and control URLs.
const upnpHTTPPort = 5000

// ErrUPnPDown means miniupnpd did not come up with port forwarding enabled.
var ErrUPnPDown = errors.New("miniupnpd did not come up")

// miniupnpd refuses a reserved address (TEST-NET included) as the external
// address, so it learns it by STUN from the lab's STUN server instead: the
// router sits on the WAN directly, STUN sees it unfiltered and unchanged, and
// miniupnpd then enables port forwarding on it.
func miniupnpdConfig(s *Site, stun string) string {
	return fmt.Sprintf(`ext_ifname=%s
listening_ip=%s
port=%d
enable_upnp=yes
enable_natpmp=yes
secure_mode=yes
system_uptime=yes
ext_perform_stun=yes
ext_stun_host=%s
ext_stun_port=%d
uuid=%s
allow 1024-65535 %s 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
`, wanIf, lanIf, upnpHTTPPort, stun, StunPort, uuid(), netip.PrefixFrom(s.HostIP, lanBits).Masked())
}

func uuid() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// startMiniupnpd runs miniupnpd in the router of a UPnP site and waits until
// it serves with port forwarding enabled.
func (l *Lab) startMiniupnpd(ctx context.Context, s *Site) error {
	conf := filepath.Join(l.Dir, s.Name+"-miniupnpd.conf")
	logf := filepath.Join(l.Dir, s.Name+"-miniupnpd.log")
	s.upnpLog = logf
	if err := os.WriteFile(conf, []byte(miniupnpdConfig(s, l.STUN[0].Addr().String())), 0o600); err != nil {
		return fmt.Errorf("miniupnpd config: %w", err)
	}
	p, err := l.Start(s.Router, logf, "miniupnpd", "-d", "-4", "-f", conf,
		"-P", filepath.Join(l.Dir, s.Name+"-miniupnpd.pid"))
	if err != nil {
		return err
	}
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		out, _ := os.ReadFile(logf)
		switch {
		case bytes.Contains(out, []byte("Port forwarding is now disabled")),
			bytes.Contains(out, []byte("Port forwarding is impossible")):
			return fmt.Errorf("%w in %s: port forwarding disabled:\n%s", ErrUPnPDown, s.Router, tail(out, 10))
		case bytes.Contains(out, []byte("Listening for NAT-PMP/PCP traffic")):
			l.log.Info("miniupnpd up", "site", s.Name)
			return nil
		}
		select {
		case <-p.Done():
			return fmt.Errorf("%w in %s: exited (%v):\n%s", ErrUPnPDown, s.Router, p.Err(), tail(out, 10))
		case <-deadline.C:
			return fmt.Errorf("%w in %s: not serving after 15s:\n%s", ErrUPnPDown, s.Router, tail(out, 10))
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// tail is the last n lines of b.
func tail(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
