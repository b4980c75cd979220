package main

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"tincan/core/audio"
	"tincan/core/discovery"
	"tincan/core/node"
)

// overlayFlags are the flags that say how a node joins the overlay.
var overlayFlags = []string{"bootstrap", "entry-name", "entry-port", "dns", "entry-zone", "cloudflare-api", "entry-interval", "entry-allow"}

// relayFlags are the value flags about relays and NAT traversal.
var relayFlags = []string{"use-relays", "relay-sessions", "relay-rate", "relay", "stun", "audio"}

// overlayOptions reads --bootstrap (comma-separated host:port list),
// --entry-name, --entry-port, --dns, --no-overlay, and for a node that may
// publish itself as an entry point --entry-zone (Cloudflare zone; the token
// comes from CLOUDFLARE_API_TOKEN once) and --cloudflare-api (API base URL).
func overlayOptions(a args) (node.OverlayOptions, error) {
	o := node.OverlayOptions{Disable: a.bool("no-overlay"), NoLAN: a.bool("no-lan"), EntryName: a.get("entry-name", ""),
		Entry: node.EntryOptions{Zone: a.get("entry-zone", ""), APIBase: a.get("cloudflare-api", "")}}
	if o.Entry.Zone != "" && o.EntryName == "" {
		return o, usagef("--entry-zone needs --entry-name (the record to keep)")
	}
	for _, s := range strings.Split(a.get("bootstrap", ""), ",") {
		if s = strings.TrimSpace(s); s != "" {
			if err := checkHostPort(s); err != nil {
				return o, usagef("--bootstrap: %v", err)
			}
			o.Bootstrap = append(o.Bootstrap, s)
		}
	}
	if v := a.get("entry-interval", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return o, usagef("--entry-interval must be a duration of at least 1s, not %q", v)
		}
		o.Entry.Interval = d
	}
	for _, v := range strings.Split(a.get("entry-allow", ""), ",") {
		if v = strings.TrimSpace(v); v != "" {
			p, err := netip.ParsePrefix(v)
			if err != nil {
				return o, usagef("--entry-allow takes prefixes such as 10.0.0.0/8, not %q", v)
			}
			o.Entry.Allow = append(o.Entry.Allow, p.Masked())
		}
	}
	if p := a.get("entry-port", ""); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return o, usagef("--entry-port must be a port number, not %q", p)
		}
		o.EntryPort = uint16(n)
	}
	if d := a.get("dns", ""); d != "" {
		s, err := discovery.NormalizeDNSServer(d)
		if err != nil {
			return o, usagef("--dns: %v", err)
		}
		o.DNS = s
	}
	return o, nil
}

func checkHostPort(s string) error {
	i := strings.LastIndex(s, ":")
	if i <= 0 || i == len(s)-1 {
		return usagef("%q is not host:port", s)
	}
	if n, err := strconv.ParseUint(s[i+1:], 10, 16); err != nil || n == 0 {
		return usagef("%q has no valid port", s)
	}
	return nil
}

// parseNodeCommand parses the flags of a command that runs a node (the
// daemon or the app): its own value flags, the joining, relay and NAT flags
// and the globals. The options it returns hold all but the keystore and
// the logger.
func parseNodeCommand(rest, values []string, usage string) (args, common, node.Options, error) {
	a, err := parseArgs(rest, withGlobals(flagSpec{values: append(append(values, overlayFlags...), relayFlags...),
		bools: []string{"no-overlay", "no-lan", "serve-relay", "no-serve-relay", "no-portmap"}}))
	if err != nil {
		return a, common{}, node.Options{}, err
	}
	if len(a.pos) != 0 {
		return a, common{}, node.Options{}, usagef("usage: %s", usage)
	}
	c, err := commonFrom(a)
	if err != nil {
		return a, c, node.Options{}, err
	}
	o := node.Options{Home: c.home, Listen: a.get("listen", DefaultListen), Control: true, NoPortMap: a.bool("no-portmap")}
	if o.Overlay, err = overlayOptions(a); err != nil {
		return a, c, o, err
	}
	if o.Relay, err = relayOptions(a); err != nil {
		return a, c, o, err
	}
	if o.STUN, err = stunServers(a); err != nil {
		return a, c, o, err
	}
	o.Audio.Spec = a.get("audio", "")
	if _, err := audio.ParseSpec(o.Audio.Spec); err != nil {
		return a, c, o, usagef("--audio: %v", err)
	}
	return a, c, o, nil
}

// relayOptions reads --use-relays ask|always|never, --serve-relay (or
// --no-serve-relay; neither keeps the saved setting), --relay-sessions N and
// --relay-rate KIB_PER_SECOND.
func relayOptions(a args) (node.RelayOptions, error) {
	o := node.RelayOptions{Use: a.get("use-relays", "")}
	for _, s := range strings.Split(a.get("relay", ""), ",") {
		if s = strings.TrimSpace(s); s != "" {
			if _, err := netip.ParseAddrPort(s); err != nil {
				return o, usagef("--relay: %q is not IP:PORT", s)
			}
			o.Static = append(o.Static, s)
		}
	}
	switch o.Use {
	case "", node.RelaysAsk, node.RelaysAlways, node.RelaysNever:
	default:
		return o, usagef("--use-relays must be ask, always or never, not %q", o.Use)
	}
	if a.bool("serve-relay") && a.bool("no-serve-relay") {
		return o, usagef("--serve-relay and --no-serve-relay contradict each other")
	}
	if a.bool("serve-relay") || a.bool("no-serve-relay") {
		on := a.bool("serve-relay")
		o.Serve = &on
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"relay-rate", &o.RateKBps}} {
		if v := a.get(f.name, ""); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return o, usagef("--%s must be a positive whole number, not %q", f.name, v)
			}
			*f.dst = n
		}
	}
	if v := a.get("relay-sessions", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 10000 {
			return o, usagef("--relay-sessions must be a whole number from 1 to 10000, not %q", v)
		}
		o.MaxSessions = n
	}
	return o, nil
}

// stunServers reads --stun IP:PORT,...: STUN servers to ask besides overlay peers.
func stunServers(a args) ([]string, error) {
	var out []string
	for _, s := range strings.Split(a.get("stun", ""), ",") {
		if s = strings.TrimSpace(s); s != "" {
			if _, err := netip.ParseAddrPort(s); err != nil {
				return nil, usagef("--stun: %q is not IP:PORT", s)
			}
			out = append(out, s)
		}
	}
	return out, nil
}
