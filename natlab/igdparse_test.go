package natlab

import (
	"errors"
	"testing"
)

const ssdpAnswer = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\n" +
	"ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n" +
	"SERVER: Debian UPnP/1.1 MiniUPnPd/2.3.1\r\nLOCATION: http://10.0.1.1:5000/rootDesc.xml\r\n\r\n"

// rootDesc has miniupnpd's shape: the WAN connection service two devices deep.
const rootDesc = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>1</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/ctl/L3F</controlURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType><controlURL>/ctl/CmnIfCfg</controlURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><controlURL>/ctl/IPConn</controlURL></service></serviceList>
</device></deviceList></device></deviceList></device></root>`

const soapExternalIP = `<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:GetExternalIPAddressResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1"><NewExternalIPAddress>198.51.100.10</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>`

const soapFault = `<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>718</errorCode><errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`

func TestParseSSDP(t *testing.T) {
	loc, err := parseSSDP([]byte(ssdpAnswer))
	if err != nil || loc != "http://10.0.1.1:5000/rootDesc.xml" {
		t.Errorf("parseSSDP = %q, %v", loc, err)
	}
	for _, bad := range []string{"NOTIFY * HTTP/1.1\r\nLOCATION: http://x/\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nLOCATION: ftp://10.0.1.1/x\r\n\r\n"} {
		if _, err := parseSSDP([]byte(bad)); !errors.Is(err, errNotIGD) {
			t.Errorf("parseSSDP(%q) err %v", bad, err)
		}
	}
}

func TestParseDescription(t *testing.T) {
	g, err := parseDescription([]byte(rootDesc), "http://10.0.1.1:5000/rootDesc.xml")
	if err != nil {
		t.Fatal(err)
	}
	if g.Control != "http://10.0.1.1:5000/ctl/IPConn" || g.Service != "urn:schemas-upnp-org:service:WANIPConnection:2" {
		t.Errorf("parseDescription = %+v", g)
	}
	if _, err := parseDescription([]byte(`<root><device></device></root>`), "http://10.0.1.1/"); !errors.Is(err, errNotIGD) {
		t.Errorf("no service: err %v", err)
	}
}

func TestSOAPValue(t *testing.T) {
	v, err := soapValue([]byte(soapExternalIP), "NewExternalIPAddress")
	if err != nil || v != "198.51.100.10" {
		t.Errorf("soapValue = %q, %v", v, err)
	}
	if _, err := soapValue([]byte(soapFault), ""); !errors.Is(err, errSOAPFault) {
		t.Errorf("fault: err %v", err)
	}
	if _, err := soapValue([]byte(soapExternalIP), "NewPortMappingDescription"); !errors.Is(err, errNotIGD) {
		t.Errorf("missing value: err %v", err)
	}
	if _, err := soapValue([]byte("<html>hi</html>"), ""); !errors.Is(err, errNotIGD) {
		t.Errorf("not SOAP: err %v", err)
	}
}

func FuzzParseSSDP(f *testing.F) {
	f.Add([]byte(ssdpAnswer))
	f.Add([]byte("HTTP/1.1 200 OK\r\nlocation:http://[::1]:1/\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if loc, err := parseSSDP(b); err == nil && loc == "" {
			t.Error("no error and no location")
		}
	})
}

func FuzzParseDescription(f *testing.F) {
	f.Add([]byte(rootDesc), "http://10.0.1.1:5000/rootDesc.xml")
	f.Add([]byte(`<root><URLBase>http://10.0.0.1:1/</URLBase><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType><controlURL>c</controlURL></service></serviceList></device></root>`), "http://x/")
	f.Fuzz(func(t *testing.T, b []byte, loc string) {
		g, err := parseDescription(b, loc)
		if err == nil && (g.Control == "" || g.Service == "") {
			t.Errorf("no error and an empty service: %+v", g)
		}
	})
}

func FuzzSOAPValue(f *testing.F) {
	f.Add([]byte(soapExternalIP), "NewExternalIPAddress")
	f.Add([]byte(soapFault), "")
	f.Fuzz(func(t *testing.T, b []byte, tag string) {
		_, _ = soapValue(b, tag)
	})
}
