package portmap

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// upnpDescription names the mappings this package makes on the router.
const upnpDescription = "tincan"

// upnpOtherPorts is how many random external ports an IGDv1 gateway is
// asked for when the preferred one is taken.
const upnpOtherPorts = 3

// upnpClient asks one Internet Gateway Device over SOAP.
type upnpClient struct {
	gw        netip.Addr
	services  []igdService // candidates, best first
	svc       igdService   // the one that gave the public address in begin
	self      netip.Addr
	ext       netip.Addr // the router's public address, from begin
	timeout   time.Duration
	permanent bool // the gateway takes only leases of 0 (permanent)
}

func (c *upnpClient) method() string    { return MethodUPnP }
func (c *upnpClient) local() netip.Addr { return c.self }

// begin asks each candidate service for the public address and keeps the
// first that gives a public one.
func (c *upnpClient) begin(ctx context.Context) error {
	self, err := localAddrTo(c.gw) // secure-mode routers map only for the asking address
	if err != nil {
		return fmt.Errorf("UPnP: %w", err)
	}
	c.self = self
	var errs []error
	for _, s := range c.services {
		v, err := c.call(ctx, s, "GetExternalIPAddress", nil, "NewExternalIPAddress")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("UPnP %s: %w: external address %q", s.Type, errNotIGD, v))
			continue
		}
		if err := checkPublic(a); err != nil {
			errs = append(errs, err)
			continue
		}
		c.svc, c.ext = s, a.Unmap()
		return nil
	}
	return errors.Join(errs...)
}

func (c *upnpClient) add(ctx context.Context, proto string, internal, want uint16, lifetime time.Duration) (netip.AddrPort, time.Duration, error) {
	p, granted, err := c.addPort(ctx, proto, internal, want, lifetime)
	if err != nil {
		return netip.AddrPort{}, 0, err
	}
	return netip.AddrPortFrom(c.ext, p), granted, nil
}

// addPort maps internal, preferring external port want, and returns the
// external port and the lease (0: permanent).
func (c *upnpClient) addPort(ctx context.Context, proto string, internal, want uint16, lifetime time.Duration) (uint16, time.Duration, error) {
	if want == 0 {
		want = internal
	}
	lease := lifetime
	if c.permanent {
		lease = 0
	}
	err := c.addPortMapping(ctx, proto, internal, want, lease)
	var ue *upnpError
	if errors.As(err, &ue) && ue.Code == upnpOnlyPermanent && lease != 0 {
		c.permanent, lease = true, 0
		err = c.addPortMapping(ctx, proto, internal, want, lease)
	}
	if errors.As(err, &ue) && ue.Code == upnpConflict {
		if strings.HasSuffix(c.svc.Type, ":2") {
			return c.addAny(ctx, proto, internal, want, lease)
		}
		for range upnpOtherPorts {
			want = uint16(1024 + rand.IntN(65536-1024))
			err = c.addPortMapping(ctx, proto, internal, want, lease)
			if !errors.As(err, &ue) || ue.Code != upnpConflict {
				break
			}
		}
	}
	if err != nil {
		return 0, 0, err
	}
	return want, lease, nil
}

func (c *upnpClient) addPortMapping(ctx context.Context, proto string, internal, ext uint16, lease time.Duration) error {
	_, err := c.call(ctx, c.svc, "AddPortMapping", c.mappingArgs(proto, internal, ext, lease), "")
	return err
}

// addAny lets an IGDv2 gateway pick the external port.
func (c *upnpClient) addAny(ctx context.Context, proto string, internal, want uint16, lease time.Duration) (uint16, time.Duration, error) {
	v, err := c.call(ctx, c.svc, "AddAnyPortMapping", c.mappingArgs(proto, internal, want, lease), "NewReservedPort")
	if err != nil {
		return 0, 0, err
	}
	p, err := strconv.ParseUint(v, 10, 16)
	if err != nil || p == 0 {
		return 0, 0, fmt.Errorf("UPnP AddAnyPortMapping: %w: port %q", errNotIGD, v)
	}
	return uint16(p), lease, nil
}

func (c *upnpClient) mappingArgs(proto string, internal, ext uint16, lease time.Duration) [][2]string {
	return [][2]string{{"NewRemoteHost", ""}, {"NewExternalPort", strconv.Itoa(int(ext))},
		{"NewProtocol", strings.ToUpper(proto)}, {"NewInternalPort", strconv.Itoa(int(internal))},
		{"NewInternalClient", c.self.String()}, {"NewEnabled", "1"},
		{"NewPortMappingDescription", upnpDescription}, {"NewLeaseDuration", strconv.Itoa(int(lease / time.Second))}}
}

func (c *upnpClient) remove(ctx context.Context, proto string, _, ext uint16) error {
	args := [][2]string{{"NewRemoteHost", ""}, {"NewExternalPort", strconv.Itoa(int(ext))}, {"NewProtocol", strings.ToUpper(proto)}}
	_, err := c.call(ctx, c.svc, "DeletePortMapping", args, "")
	var ue *upnpError
	if errors.As(err, &ue) && ue.Code == upnpNoSuchEntry {
		return nil // already gone (expired, or the router restarted)
	}
	return err
}

// call runs one SOAP action on service s and returns the text of the answer's
// element want ("" for none).
func (c *upnpClient) call(ctx context.Context, s igdService, action string, args [][2]string, want string) (string, error) {
	u, err := url.Parse(s.Control)
	if err != nil || urlAddr(u).Addr() != c.gw {
		return "", fmt.Errorf("UPnP %s: control URL %q is not on the gateway %s", action, s.Control, c.gw)
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>`)
	fmt.Fprintf(&b, `<u:%s xmlns:u="%s">`, action, xmlEscape(s.Type))
	for _, a := range args {
		fmt.Fprintf(&b, "<%s>%s</%s>", a[0], xmlEscape(a[1]), a[0])
	}
	fmt.Fprintf(&b, "</u:%s></s:Body></s:Envelope>", action)
	hdr := http.Header{}
	hdr.Set("Content-Type", `text/xml; charset="utf-8"`)
	hdr.Set("SOAPAction", `"`+s.Type+"#"+action+`"`)
	body, herr := httpDo(ctx, http.MethodPost, u, b.String(), hdr, c.timeout, maxSOAP)
	if body == nil {
		return "", fmt.Errorf("UPnP %s: %w", action, herr)
	}
	v, err := soapValue(body, want)
	if err == nil {
		err = herr
	}
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
