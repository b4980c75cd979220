package ui

import (
	"fmt"
	"strconv"
	"strings"

	"tincan/core/node"
)

// natWords names the NAT in front of the node for people.
func natWords(n *node.NATStatus) string {
	if n == nil {
		return "Not detected yet"
	}
	switch n.Type {
	case "none":
		return "No NAT (public address)"
	case "full-cone":
		return "Full-cone NAT"
	case "address-restricted":
		return "Address-restricted NAT"
	case "port-restricted":
		return "Port-restricted NAT"
	case "symmetric":
		return "Symmetric NAT"
	case "", "unknown":
		return "Unknown"
	}
	return n.Type
}

// natHelp says what the NAT type means for reaching contacts ("" when
// there is nothing useful to say).
func natHelp(n *node.NATStatus) string {
	if n == nil {
		return ""
	}
	switch n.Type {
	case "none":
		return "Contacts can connect to you directly."
	case "full-cone":
		return "Contacts can usually connect to you directly."
	case "address-restricted", "port-restricted":
		return "Direct connections usually work by hole punching."
	case "symmetric":
		return "Direct connections often fail; a relay may be needed."
	}
	return ""
}

// externalAddr is our address as the internet sees it: what NAT detection
// found, else what the first peer observed, else "unknown".
func externalAddr(st node.Status) string {
	if st.NAT != nil && st.NAT.External != "" {
		return st.NAT.External
	}
	if st.Overlay != nil && len(st.Overlay.Observed) > 0 {
		return st.Overlay.Observed[0]
	}
	return "unknown"
}

// mappedPorts lists the ports the router forwards to us.
func mappedPorts(n *node.NATStatus) string {
	if n == nil || len(n.Mapped) == 0 {
		return "none"
	}
	return strings.Join(n.Mapped, ", ")
}

// Relay policy choices as the settings show them, in order.
var policyChoices = []struct{ policy, label string }{
	{node.RelaysAsk, "Ask each time"},
	{node.RelaysAlways, "Always"},
	{node.RelaysNever, "Never"},
}

// policyLabel is the choice shown for a relay policy; an unknown policy
// shows as the default, ask.
func policyLabel(policy string) string {
	for _, c := range policyChoices {
		if c.policy == policy {
			return c.label
		}
	}
	return policyChoices[0].label
}

// policyOf is the relay policy a shown choice stands for ("" if none).
func policyOf(label string) string {
	for _, c := range policyChoices {
		if c.label == label {
			return c.policy
		}
	}
	return ""
}

// relayNow says how many contacts of others the node is relaying.
func relayNow(r *node.RelayStatus) string {
	if r == nil {
		return ""
	}
	var s string
	switch r.Active {
	case 0:
		s = "Not relaying for anyone right now"
	case 1:
		s = "Relaying 1 connection now"
	default:
		s = "Relaying " + strconv.Itoa(r.Active) + " connections now"
	}
	if r.Waiting > 0 {
		s += fmt.Sprintf(" (%d waiting for the other side)", r.Waiting)
	}
	return s
}

// relayTotals sums up what the node has relayed since it started.
func relayTotals(r *node.RelayStatus) string {
	if r == nil {
		return ""
	}
	s := plural(r.Sessions, "connection") + ", " + byteCount(r.BytesRelayed) + " relayed since tincan started"
	if r.Refused > 0 {
		s += "; " + strconv.FormatUint(r.Refused, 10) + " refused (limits reached)"
	}
	return s
}

func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.FormatUint(n, 10) + " " + what + "s"
}

// byteCount is n bytes in decimal units, one decimal for kB and up.
func byteCount(n uint64) string {
	if n < 1000 {
		return strconv.FormatUint(n, 10) + " B"
	}
	v := float64(n)
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		v /= 1000
		if v < 999.95 || unit == "TB" {
			return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
		}
	}
	return ""
}

// externalHelp says in one sentence what the external address is.
func externalHelp(st node.Status) string {
	if externalAddr(st) == "unknown" {
		return "No one has told tincan yet how the internet sees your computer."
	}
	return "This is how the internet sees your computer; contacts connect to it."
}

// mappedHelp says in one sentence what the mapped ports mean.
func mappedHelp(n *node.NATStatus) string {
	if n == nil || len(n.Mapped) == 0 {
		return "Your router forwards no port to tincan, so contacts reach you by hole punching or a relay."
	}
	return "Your router forwards these ports to tincan, so contacts can connect straight to you."
}

// Plain sentences under the relay settings.
const (
	policyHelp = "A relay is another tincan user's computer that passes your encrypted messages on " +
		"when no direct connection works; it cannot read them."
	serveHelp = "Helps contacts behind strict routers reach each other; it uses some of your bandwidth."
)
