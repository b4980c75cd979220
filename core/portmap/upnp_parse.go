package portmap

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Size limits of what the UPnP client reads from the network.
const (
	maxSSDP        = 2 << 10
	maxDescription = 64 << 10
	maxSOAP        = 16 << 10
	maxServices    = 4 // WAN connection services tried per gateway
)

// errNotIGD means an answer that is not the UPnP the client expects.
var errNotIGD = errors.New("not a UPnP gateway answer")

// igdService is the port-mapping service of an Internet Gateway Device.
type igdService struct {
	Control string // control URL, on the gateway's own address
	Type    string // e.g. urn:schemas-upnp-org:service:WANIPConnection:2
}

// parseSSDP reads an M-SEARCH answer and returns its LOCATION URL, which
// must be plain http to an IP address.
func parseSSDP(b []byte) (*url.URL, error) {
	if len(b) > maxSSDP {
		return nil, fmt.Errorf("%w: SSDP answer of %d bytes", errNotIGD, len(b))
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "HTTP/1.1 200") {
		return nil, fmt.Errorf("%w: SSDP status line", errNotIGD)
	}
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "location") {
			loc := strings.TrimSpace(v)
			u, err := url.Parse(loc)
			if err != nil || u.Scheme != "http" || urlAddr(u) == (netip.AddrPort{}) {
				return nil, fmt.Errorf("%w: location %q", errNotIGD, loc)
			}
			return u, nil
		}
	}
	return nil, fmt.Errorf("%w: SSDP answer without a location", errNotIGD)
}

// urlAddr is the IPv4 address and port of an http URL's host, or the zero
// value if its host is a name, IPv6 or otherwise unusable.
func urlAddr(u *url.URL) netip.AddrPort {
	a, err := netip.ParseAddr(u.Hostname())
	if err != nil || !a.Is4() || u.User != nil {
		return netip.AddrPort{}
	}
	port := uint16(80)
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return netip.AddrPort{}
		}
		port = uint16(n)
	}
	return netip.AddrPortFrom(a, port)
}

type xmlService struct {
	Type    string `xml:"serviceType"`
	Control string `xml:"controlURL"`
}

type xmlDevice struct {
	Services []xmlService `xml:"serviceList>service"`
	Devices  []xmlDevice  `xml:"deviceList>device"`
}

type xmlRoot struct {
	URLBase string    `xml:"URLBase"`
	Device  xmlDevice `xml:"device"`
}

// wanServices are the service types that map ports, best first.
var wanServices = []string{
	"urn:schemas-upnp-org:service:WANIPConnection:2",
	"urn:schemas-upnp-org:service:WANIPConnection:1",
	"urn:schemas-upnp-org:service:WANPPPConnection:1",
}

// maxDeviceDepth bounds how deep the description's device tree is searched.
const maxDeviceDepth = 8

// parseDescription finds the WAN connection services, best first, in a
// gateway's device description fetched from location. Every control URL
// must be plain http on the same address and port as location.
func parseDescription(b []byte, location *url.URL) ([]igdService, error) {
	if len(b) > maxDescription {
		return nil, fmt.Errorf("%w: description of %d bytes", errNotIGD, len(b))
	}
	var root xmlRoot
	if err := xml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%w: description: %v", errNotIGD, err)
	}
	host := urlAddr(location)
	if location.Scheme != "http" || !host.IsValid() {
		return nil, fmt.Errorf("%w: location %q", errNotIGD, location)
	}
	base := location
	if root.URLBase != "" {
		if u, err := url.Parse(strings.TrimSpace(root.URLBase)); err == nil && u.Scheme == "http" {
			base = u
		}
	}
	var found []xmlService
	collect(root.Device, 0, &found)
	var out []igdService
	for _, want := range wanServices {
		for _, s := range found {
			if strings.TrimSpace(s.Type) != want || len(out) >= maxServices {
				continue
			}
			ref, err := url.Parse(strings.TrimSpace(s.Control))
			if err != nil || strings.TrimSpace(s.Control) == "" {
				continue
			}
			u := base.ResolveReference(ref)
			if u.Scheme != "http" || urlAddr(u) != host {
				continue // never talk to anyone but the gateway that answered
			}
			out = append(out, igdService{Control: u.String(), Type: want})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no WAN connection service on %s", errNotIGD, host)
	}
	return out, nil
}

func collect(d xmlDevice, depth int, out *[]xmlService) {
	if depth > maxDeviceDepth {
		return
	}
	*out = append(*out, d.Services...)
	for _, sub := range d.Devices {
		collect(sub, depth+1, out)
	}
}

// upnpError is a gateway's refusal of a SOAP action (a UPnPError).
type upnpError struct {
	Code int
	Desc string
}

func (e *upnpError) Error() string { return fmt.Sprintf("UPnP error %d %s", e.Code, e.Desc) }

// UPnP error codes the client acts on.
const (
	upnpNoSuchEntry   = 714 // NoSuchEntryInArray
	upnpConflict      = 718 // ConflictInMappingEntry
	upnpOnlyPermanent = 725 // OnlyPermanentLeasesSupported
)

// soapValue returns the text of the first element named tag in a SOAP
// answer ("" for tag ""), or the *upnpError the gateway reported.
func soapValue(b []byte, tag string) (string, error) {
	if len(b) > maxSOAP {
		return "", fmt.Errorf("%w: SOAP answer of %d bytes", errNotIGD, len(b))
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var code, desc string
	sawEnvelope := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%w: SOAP: %v", errNotIGD, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "Envelope":
			sawEnvelope = true
		case "errorCode", "errorDescription", tag:
			var text string
			if err := d.DecodeElement(&text, &se); err != nil {
				return "", fmt.Errorf("%w: SOAP %s: %v", errNotIGD, se.Name.Local, err)
			}
			text = strings.TrimSpace(text)
			switch se.Name.Local {
			case "errorCode":
				code = text
			case "errorDescription":
				desc = text
			default:
				if tag != "" && sawEnvelope {
					return text, nil
				}
			}
		}
	}
	if code != "" || desc != "" {
		n, err := strconv.Atoi(code)
		if err != nil {
			n = -1
		}
		return "", &upnpError{Code: n, Desc: desc}
	}
	if !sawEnvelope {
		return "", fmt.Errorf("%w: no SOAP envelope", errNotIGD)
	}
	if tag != "" {
		return "", fmt.Errorf("%w: no %s in the answer", errNotIGD, tag)
	}
	return "", nil
}
