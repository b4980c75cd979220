//go:build linux

package natlab

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The lab's own small UPnP-IGD client checks that miniupnpd maps ports for
// a UPnP site before any daemon runs. It is independent of core/portmap on
// purpose: the lab must not need the code under test to tell a broken
// router from a broken node (the daemons' own mappings go through
// core/portmap and are checked by their paths in the matrix).

var ssdpGroup = netip.MustParseAddrPort("239.255.255.250:1900")

const msearch = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n" +
	"ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n"

// DiscoverIGD finds the gateway from inside namespace ns: an SSDP search on
// the LAN, then its device description.
func DiscoverIGD(ns string, timeout time.Duration) (IGD, error) {
	var g IGD
	err := Do(ns, func() error {
		c, err := net.ListenUDP("udp4", nil)
		if err != nil {
			return fmt.Errorf("SSDP socket: %w", err)
		}
		defer c.Close()
		deadline := time.Now().Add(timeout)
		_ = c.SetDeadline(deadline)
		buf := make([]byte, maxSSDP+1)
		var loc string
		for loc == "" {
			if _, err := c.WriteToUDPAddrPort([]byte(msearch), ssdpGroup); err != nil {
				return fmt.Errorf("SSDP search: %w", err)
			}
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			n, _, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				if time.Now().After(deadline) {
					return fmt.Errorf("SSDP: no gateway answered: %w", err)
				}
				continue
			}
			if loc, err = parseSSDP(buf[:n]); err != nil {
				loc = ""
			}
		}
		body, err := httpDo(http.MethodGet, loc, "", nil, time.Until(deadline))
		if err != nil {
			return err
		}
		g, err = parseDescription(body, loc)
		return err
	})
	return g, err
}

// AddPortMapping asks the gateway, from inside ns, to forward its WAN port
// ext (proto "TCP" or "UDP") to internal, for good (lease 0).
func (g IGD) AddPortMapping(ns, proto string, ext uint16, internal netip.AddrPort, desc string) error {
	args := [][2]string{{"NewRemoteHost", ""}, {"NewExternalPort", strconv.Itoa(int(ext))},
		{"NewProtocol", proto}, {"NewInternalPort", strconv.Itoa(int(internal.Port()))},
		{"NewInternalClient", internal.Addr().String()}, {"NewEnabled", "1"},
		{"NewPortMappingDescription", desc}, {"NewLeaseDuration", "0"}}
	_, err := g.call(ns, "AddPortMapping", args, "")
	return err
}

// DeletePortMapping removes a mapping made by AddPortMapping.
func (g IGD) DeletePortMapping(ns, proto string, ext uint16) error {
	args := [][2]string{{"NewRemoteHost", ""}, {"NewExternalPort", strconv.Itoa(int(ext))}, {"NewProtocol", proto}}
	_, err := g.call(ns, "DeletePortMapping", args, "")
	return err
}

// ExternalIP asks the gateway for its public address.
func (g IGD) ExternalIP(ns string) (netip.Addr, error) {
	v, err := g.call(ns, "GetExternalIPAddress", nil, "NewExternalIPAddress")
	if err != nil {
		return netip.Addr{}, err
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: external address %q", errNotIGD, v)
	}
	return a, nil
}

func (g IGD) call(ns, action string, args [][2]string, want string) (string, error) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>`)
	fmt.Fprintf(&b, `<u:%s xmlns:u="%s">`, action, g.Service)
	for _, a := range args {
		fmt.Fprintf(&b, "<%s>%s</%s>", a[0], xmlEscape(a[1]), a[0])
	}
	fmt.Fprintf(&b, "</u:%s></s:Body></s:Envelope>", action)
	hdr := http.Header{}
	hdr.Set("Content-Type", `text/xml; charset="utf-8"`)
	hdr.Set("SOAPAction", `"`+g.Service+"#"+action+`"`)
	var v string
	err := Do(ns, func() error {
		body, herr := httpDo(http.MethodPost, g.Control, b.String(), hdr, 5*time.Second)
		if body == nil {
			return herr
		}
		var err error
		v, err = soapValue(body, want)
		if err == nil {
			err = herr
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("UPnP %s: %w", action, err)
	}
	return v, nil
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// errHTTPStatus is an HTTP answer other than 200; its body is still returned
// (a SOAP fault comes with status 500).
var errHTTPStatus = errors.New("HTTP status")

// httpDo makes one HTTP/1.1 request on a connection dialled by the calling
// goroutine, so that it leaves from the namespace Do entered (Go's HTTP
// client dials on goroutines of its own).
func httpDo(method, rawURL, body string, hdr http.Header, timeout time.Duration) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" {
		return nil, fmt.Errorf("URL %q: not plain http", rawURL)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	c, err := net.DialTimeout("tcp4", host, timeout)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, rawURL, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, rawURL, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Close = true
	if err := req.Write(c); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, rawURL, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, rawURL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDescription+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, rawURL, err)
	}
	if len(data) > maxDescription {
		return nil, fmt.Errorf("%s %s: answer too large", method, rawURL)
	}
	if resp.StatusCode != http.StatusOK {
		return data, fmt.Errorf("%s %s: %w %s", method, rawURL, errHTTPStatus, resp.Status)
	}
	return data, nil
}
