package natlab

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Size limits of what the UPnP client reads from the network.
const (
	maxSSDP        = 2048
	maxDescription = 64 << 10
	maxSOAP        = 16 << 10
)

// IGD is the port-mapping service of a UPnP Internet Gateway Device, as a
// client on its LAN finds it.
type IGD struct {
	Control string // control URL
	Service string // service type, e.g. urn:schemas-upnp-org:service:WANIPConnection:1
}

// errNotIGD means an answer that is not the UPnP the client expects.
var errNotIGD = errors.New("not a UPnP gateway answer")

// parseSSDP reads an M-SEARCH answer and returns its LOCATION URL.
func parseSSDP(b []byte) (string, error) {
	if len(b) > maxSSDP {
		return "", fmt.Errorf("%w: SSDP answer of %d bytes", errNotIGD, len(b))
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "HTTP/1.1 200") {
		return "", fmt.Errorf("%w: SSDP status line", errNotIGD)
	}
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "location") {
			loc := strings.TrimSpace(v)
			u, err := url.Parse(loc)
			if err != nil || u.Scheme != "http" || u.Host == "" {
				return "", fmt.Errorf("%w: location %q", errNotIGD, loc)
			}
			return loc, nil
		}
	}
	return "", fmt.Errorf("%w: SSDP answer without a location", errNotIGD)
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

// wanServices are the services that map ports, best first.
var wanServices = []string{
	"urn:schemas-upnp-org:service:WANIPConnection:",
	"urn:schemas-upnp-org:service:WANPPPConnection:",
}

// parseDescription finds the WAN connection service in a gateway's device
// description fetched from location.
func parseDescription(b []byte, location string) (IGD, error) {
	if len(b) > maxDescription {
		return IGD{}, fmt.Errorf("%w: description of %d bytes", errNotIGD, len(b))
	}
	var root xmlRoot
	if err := xml.Unmarshal(b, &root); err != nil {
		return IGD{}, fmt.Errorf("%w: description: %v", errNotIGD, err)
	}
	base, err := url.Parse(location)
	if err != nil {
		return IGD{}, fmt.Errorf("%w: location %q", errNotIGD, location)
	}
	if root.URLBase != "" {
		if b, err := url.Parse(strings.TrimSpace(root.URLBase)); err == nil && b.Scheme == "http" {
			base = b
		}
	}
	for _, prefix := range wanServices {
		if s, ok := findService(root.Device, prefix, 0); ok {
			ref, err := url.Parse(strings.TrimSpace(s.Control))
			if err != nil || s.Control == "" {
				return IGD{}, fmt.Errorf("%w: control URL %q", errNotIGD, s.Control)
			}
			u := base.ResolveReference(ref)
			if u.Scheme != "http" || u.Host == "" {
				return IGD{}, fmt.Errorf("%w: control URL %q", errNotIGD, u)
			}
			return IGD{Control: u.String(), Service: strings.TrimSpace(s.Type)}, nil
		}
	}
	return IGD{}, fmt.Errorf("%w: no WAN connection service", errNotIGD)
}

// maxDeviceDepth bounds how deep findService follows nested device lists.
const maxDeviceDepth = 8

func findService(d xmlDevice, prefix string, depth int) (xmlService, bool) {
	if depth > maxDeviceDepth {
		return xmlService{}, false
	}
	for _, s := range d.Services {
		if strings.HasPrefix(strings.TrimSpace(s.Type), prefix) {
			return s, true
		}
	}
	for _, sub := range d.Devices {
		if s, ok := findService(sub, prefix, depth+1); ok {
			return s, true
		}
	}
	return xmlService{}, false
}

// errSOAPFault is a gateway's refusal of a SOAP action.
var errSOAPFault = errors.New("UPnP action refused")

// soapValue returns the text of the first element named tag in a SOAP
// answer ("" for an empty answer), or the fault the gateway reported.
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
			switch se.Name.Local {
			case "errorCode":
				code = strings.TrimSpace(text)
			case "errorDescription":
				desc = strings.TrimSpace(text)
			default:
				if tag != "" {
					return strings.TrimSpace(text), nil
				}
			}
		}
	}
	if code != "" || desc != "" {
		return "", fmt.Errorf("%w: %s %s", errSOAPFault, code, desc)
	}
	if !sawEnvelope {
		return "", fmt.Errorf("%w: no SOAP envelope", errNotIGD)
	}
	if tag != "" {
		return "", fmt.Errorf("%w: no %s in the answer", errNotIGD, tag)
	}
	return "", nil
}
