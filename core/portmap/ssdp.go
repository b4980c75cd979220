package portmap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"
)

var ssdpGroup = netip.MustParseAddrPort("239.255.255.250:1900")

// ssdpTargets are the device types searched for.
var ssdpTargets = []string{
	"urn:schemas-upnp-org:device:InternetGatewayDevice:2",
	"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
}

// ssdpResend is how long discovery waits before searching a second time.
const ssdpResend = time.Second

func msearch(target string) []byte {
	return []byte("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: " +
		target + "\r\n\r\n")
}

// errNoIGD means no UPnP gateway answered the search.
var errNoIGD = errors.New("no UPnP gateway answered")

// discoverIGD searches the LAN by SSDP multicast for an Internet Gateway
// Device and reads its description. Only an answer from gw counts (from any
// on-link address if gw is invalid), and its location must be on the
// answering address.
func discoverIGD(ctx context.Context, gw netip.Addr, timeout time.Duration) (*upnpClient, error) {
	c, err := net.ListenUDP("udp4", nil)
	if err != nil {
		return nil, fmt.Errorf("SSDP socket: %w", err)
	}
	defer c.Close()
	end := deadline(ctx, timeout)
	stop := bind(ctx, c, timeout)
	defer stop()
	search := func() error {
		for _, t := range ssdpTargets {
			if _, err := c.WriteToUDPAddrPort(msearch(t), ssdpGroup); err != nil {
				return fmt.Errorf("SSDP search: %w", ctxErr(ctx, err))
			}
		}
		return nil
	}
	if err := search(); err != nil {
		return nil, err
	}
	resend := time.Now().Add(ssdpResend)
	_ = c.SetReadDeadline(minTime(resend, end))
	buf := make([]byte, maxSSDP+1)
	tried := map[string]bool{}
	var last error
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !resend.IsZero() && time.Now().Before(end) && ctx.Err() == nil {
				resend = time.Time{}
				if err := search(); err != nil {
					return nil, err
				}
				_ = c.SetReadDeadline(end)
				continue
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if last != nil {
				return nil, last
			}
			return nil, fmt.Errorf("%w: %v", errNoIGD, err)
		}
		src := from.Addr().Unmap()
		if n > maxSSDP || (gw.IsValid() && src != gw) || (!gw.IsValid() && !onLink(src)) {
			continue
		}
		loc, err := parseSSDP(buf[:n])
		if err != nil || urlAddr(loc).Addr() != src || tried[loc.String()] {
			continue
		}
		tried[loc.String()] = true
		u, err := describe(ctx, loc, time.Until(end))
		if err != nil {
			last = err
			continue
		}
		u.timeout = timeout
		return u, nil
	}
}

// describe fetches and reads the device description at loc.
func describe(ctx context.Context, loc *url.URL, timeout time.Duration) (*upnpClient, error) {
	body, err := httpDo(ctx, http.MethodGet, loc, "", nil, timeout, maxDescription)
	if err != nil {
		return nil, fmt.Errorf("UPnP description: %w", err)
	}
	svcs, err := parseDescription(body, loc)
	if err != nil {
		return nil, err
	}
	return &upnpClient{gw: urlAddr(loc).Addr(), services: svcs}, nil
}
