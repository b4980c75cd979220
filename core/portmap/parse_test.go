package portmap

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// Answers as miniupnpd 2.3 sends them.
const ssdpAnswer = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\n" +
	"ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n" +
	"SERVER: Debian UPnP/1.1 MiniUPnPd/2.3.1\r\nLOCATION: http://10.0.1.1:5000/rootDesc.xml\r\n\r\n"

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

// routeTable is /proc/net/route with two default routes, the kernel writing
// addresses as native-endian numbers.
func routeTable() string {
	hex := func(a string) string {
		return fmt.Sprintf("%08X", binary.NativeEndian.Uint32(netip.MustParseAddr(a).AsSlice()))
	}
	return "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t" + hex("10.0.0.0") + "\t00000000\t0001\t0\t0\t0\t" + hex("255.255.255.0") + "\t0\t0\t0\n" +
		"wlan0\t00000000\t" + hex("192.168.1.1") + "\t0003\t0\t0\t600\t00000000\t0\t0\t0\n" +
		"eth0\t00000000\t" + hex("10.0.0.1") + "\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
}

func TestParseSSDP(t *testing.T) {
	loc, err := parseSSDP([]byte(ssdpAnswer))
	if err != nil || loc.String() != "http://10.0.1.1:5000/rootDesc.xml" {
		t.Errorf("parseSSDP = %v, %v", loc, err)
	}
	for _, bad := range []string{
		"NOTIFY * HTTP/1.1\r\nLOCATION: http://10.0.1.1/\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nLOCATION: ftp://10.0.1.1/x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nLOCATION: http://router.lan:5000/x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nLOCATION: http://[fe80::1]:5000/x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nLOCATION: http://10.0.1.1:0/x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nLOCATION: http://10.0.1.1/" + strings.Repeat("x", maxSSDP) + "\r\n\r\n",
	} {
		if _, err := parseSSDP([]byte(bad)); !errors.Is(err, errNotIGD) {
			t.Errorf("parseSSDP(%.60q) err %v", bad, err)
		}
	}
}

func TestParseDescription(t *testing.T) {
	loc, _ := url.Parse("http://10.0.1.1:5000/rootDesc.xml")
	svcs, err := parseDescription([]byte(rootDesc), loc)
	if err != nil {
		t.Fatal(err)
	}
	want := igdService{Control: "http://10.0.1.1:5000/ctl/IPConn", Type: "urn:schemas-upnp-org:service:WANIPConnection:2"}
	if len(svcs) != 1 || svcs[0] != want {
		t.Errorf("parseDescription = %+v, want [%+v]", svcs, want)
	}
	// A PPP and an IP connection: IP first. A control URL elsewhere is dropped.
	two := `<root><device><serviceList>
<service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType><controlURL>/ppp</controlURL></service>
<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>http://203.0.113.9:5000/evil</controlURL></service>
<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ip</controlURL></service>
</serviceList></device></root>`
	svcs, err = parseDescription([]byte(two), loc)
	if err != nil || len(svcs) != 2 || svcs[0].Control != "http://10.0.1.1:5000/ip" || svcs[1].Control != "http://10.0.1.1:5000/ppp" {
		t.Errorf("parseDescription(two) = %+v, %v", svcs, err)
	}
	for _, bad := range []string{
		`<root><device></device></root>`,
		`<root><URLBase>http://203.0.113.9/</URLBase><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/c</controlURL></service></serviceList></device></root>`,
		`not xml`,
	} {
		if _, err := parseDescription([]byte(bad), loc); !errors.Is(err, errNotIGD) {
			t.Errorf("parseDescription(%.60q) err %v", bad, err)
		}
	}
}

func TestSOAPValue(t *testing.T) {
	v, err := soapValue([]byte(soapExternalIP), "NewExternalIPAddress")
	if err != nil || v != "198.51.100.10" {
		t.Errorf("soapValue = %q, %v", v, err)
	}
	var ue *upnpError
	if _, err := soapValue([]byte(soapFault), ""); !errors.As(err, &ue) || ue.Code != upnpConflict || ue.Desc != "ConflictInMappingEntry" {
		t.Errorf("fault: err %v", err)
	}
	if _, err := soapValue([]byte(soapExternalIP), "NewReservedPort"); !errors.Is(err, errNotIGD) {
		t.Errorf("missing value: err %v", err)
	}
	if _, err := soapValue([]byte("<html>hi</html>"), ""); !errors.Is(err, errNotIGD) {
		t.Errorf("not SOAP: err %v", err)
	}
}

func TestNATPMPCodec(t *testing.T) {
	req := natpmpMapRequest(natpmpOpTCP, 7448, 7448, 3600)
	if want := []byte{0, 2, 0, 0, 0x1d, 0x18, 0x1d, 0x18, 0, 0, 0x0e, 0x10}; string(req) != string(want) {
		t.Errorf("map request % x, want % x", req, want)
	}
	ext := []byte{0, 128, 0, 0, 0, 0, 0, 9, 198, 51, 100, 10}
	a, err := parseNATPMP(ext)
	if err != nil || a.Op != natpmpOpExternal || a.Epoch != 9 || a.External != netip.MustParseAddr("198.51.100.10") {
		t.Errorf("external answer %+v, %v", a, err)
	}
	m := []byte{0, 130, 0, 0, 0, 0, 0, 9, 0x1d, 0x18, 0x1d, 0x19, 0, 0, 0x0e, 0x10}
	a, err = parseNATPMP(m)
	if err != nil || a.Op != natpmpOpTCP || a.Internal != 7448 || a.Mapped != 7449 || a.Lifetime != 3600 {
		t.Errorf("map answer %+v, %v", a, err)
	}
	refused := []byte{0, 129, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0}
	var r natpmpResult
	if a, err := parseNATPMP(refused); !errors.As(err, &r) || r != 2 || a.Op != natpmpOpUDP {
		t.Errorf("refusal %+v, %v", a, err)
	}
	for _, bad := range [][]byte{nil, ext[:11], m[:15], append(m, 0), {1, 128, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, {0, 3, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}} {
		if _, err := parseNATPMP(bad); !errors.Is(err, errNATPMP) {
			t.Errorf("parseNATPMP(% x) err %v", bad, err)
		}
	}
}

func TestParseRoute(t *testing.T) {
	gw, err := parseRoute([]byte(routeTable()))
	if err != nil || gw != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("parseRoute = %v, %v; want 10.0.0.1 (the lower metric)", gw, err)
	}
	if _, err := parseRoute([]byte(strings.Split(routeTable(), "wlan0")[0])); !errors.Is(err, errNoGateway) {
		t.Errorf("no default route: err %v", err)
	}
}

func TestCheckPublic(t *testing.T) {
	for a, ok := range map[string]bool{"198.51.100.10": true, "8.8.8.8": true, "10.1.2.3": false, "192.168.1.1": false,
		"100.64.0.1": false, "127.0.0.1": false, "0.0.0.0": false, "169.254.1.1": false, "224.0.0.1": false, "2001:db8::1": false} {
		if err := checkPublic(netip.MustParseAddr(a)); (err == nil) != ok {
			t.Errorf("checkPublic(%s) = %v", a, err)
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, k := range []*Keeper{NewKeeper(0, Options{}), NewKeeper(7448, Options{Methods: []string{}}),
		NewKeeper(7448, Options{Methods: []string{"igd"}})} {
		if err := k.Run(t.Context()); !errors.Is(err, ErrBadOptions) {
			t.Errorf("Run with %+v: err %v", k.opts.Methods, err)
		}
	}
}

// A PCP MAP answer as miniupnpd 2.3.1 sends it: TCP 7448 mapped to
// 198.18.10.10:7448 for 3600 s, epoch 14113, nonce 1…12.
const pcpAnswerHex = "0281000000000e100000372100000000000000000000000001020304050607" +
	"08090a0b0c060000001d181d1800000000000000000000ffffc6120a0a"

// Its refusal of a request whose client address is not the sender's.
const pcpMismatchHex = "0281000c0000000000003722000000000000000000000000010203040506070809" +
	"0a0b0c060000001d181d1800000000000000000000ffff00000000"

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPCPCodec(t *testing.T) {
	nonce := pcpNonce{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	req := pcpMapRequest(nonce, pcpProtoUDP, netip.MustParseAddr("10.0.1.2"), 7448, netip.AddrPortFrom(netip.Addr{}, 7448), 3600)
	want := unhex(t, "0201000000000e1000000000000000000000ffff0a000102"+ // version, MAP, lifetime, client ::ffff:10.0.1.2
		"0102030405060708090a0b0c110000001d181d1800000000000000000000ffff00000000") // nonce, UDP, ports, any address
	if !bytes.Equal(req, want) {
		t.Errorf("map request\n%x, want\n%x", req, want)
	}
	renew := pcpMapRequest(nonce, pcpProtoTCP, netip.MustParseAddr("10.0.1.2"), 7448, netip.MustParseAddrPort("198.18.10.10:7449"), 0)
	if got := hex.EncodeToString(renew[36:]); got != "060000001d181d1900000000000000000000ffffc6120a0a" {
		t.Errorf("map request with a suggested address: %s", got)
	}

	a, err := parsePCP(unhex(t, pcpAnswerHex))
	if err != nil || a.Op != pcpOpMap || a.Lifetime != 3600 || a.Epoch != 14113 || !a.HasMap || a.Nonce != nonce ||
		a.Protocol != pcpProtoTCP || a.Internal != 7448 || a.External != netip.MustParseAddrPort("[::ffff:198.18.10.10]:7448") {
		t.Errorf("miniupnpd's answer: %+v, %v", a, err)
	}
	withOption := append(unhex(t, pcpAnswerHex), 0x80, 0, 0, 3, 1, 2, 3, 0) // an optional option of 3 bytes, padded
	if b, err := parsePCP(withOption); err != nil || b != a {
		t.Errorf("answer with an option: %+v, %v", b, err)
	}
	var r pcpResult
	if a, err := parsePCP(unhex(t, pcpMismatchHex)); !errors.As(err, &r) || r != 12 || !a.HasMap || a.Nonce != nonce || a.Internal != 7448 {
		t.Errorf("refusal: %+v, %v", a, err)
	}
	for _, no := range [][]byte{
		{0, 129, 0, 1, 0, 0, 0, 9},                        // NAT-PMP: unsupported version
		append([]byte{1, 129, 0, 1}, make([]byte, 20)...), // PCP version 1 only
	} {
		if _, err := parsePCP(no); !errors.Is(err, errNoPCP) {
			t.Errorf("parsePCP(% x) err %v, want errNoPCP", no, err)
		}
	}
	ok := unhex(t, pcpAnswerHex)
	for _, bad := range [][]byte{nil, ok[:3], ok[:59], ok[:58], append(ok, 0), append(ok, make([]byte, maxUDPAnswer)...),
		append(slices.Clone(ok), 0x80, 0, 0, 5, 1, 2, 3, 4), // option longer than what is left
		append([]byte{2, 1}, ok[2:]...),                     // a request, not an answer
		append([]byte{3, 129, 0, 0}, ok[4:]...),             // an unknown version that does not refuse
	} {
		if _, err := parsePCP(bad); !errors.Is(err, errPCP) {
			t.Errorf("parsePCP(%x) err %v, want errPCP", bad, err)
		}
	}
}

func TestPCPLostState(t *testing.T) {
	for _, c := range []struct {
		prev, cur uint32
		elapsed   time.Duration
		lost      bool
	}{
		{1000, 1000, 0, false},
		{1000, 1030, 30 * time.Second, false},
		{1000, 1031, 30 * time.Second, false}, // clocks tick apart a little
		{1000, 10, 30 * time.Second, true},    // restarted
		{1000, 1300, 30 * time.Second, true},  // server time ran ahead: restarted and ran that long
		{1000, 1002, 30 * time.Minute, true},  // server time stood still
		{1000, 999, time.Second, false},
	} {
		if got := pcpLostState(c.prev, c.cur, c.elapsed); got != c.lost {
			t.Errorf("pcpLostState(%d, %d, %v) = %v", c.prev, c.cur, c.elapsed, got)
		}
	}
}
