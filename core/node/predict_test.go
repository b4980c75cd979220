package node

import (
	"net/netip"
	"testing"

	"tincan/core/stun"
)

func TestSequentialMapping(t *testing.T) {
	ap := func(port uint16) netip.AddrPort { return netip.AddrPortFrom(netip.MustParseAddr("198.18.20.10"), port) }
	cases := []struct {
		name string
		rep  stun.Report
		want bool
	}{
		{"next port", stun.Report{Mapping: stun.MappingDependent, Mapped: []netip.AddrPort{ap(40011), ap(40012)}}, true},
		{"small steps, a server silent", stun.Report{Mapping: stun.MappingDependent, Mapped: []netip.AddrPort{ap(40011), {}, ap(40014)}}, true},
		{"random ports", stun.Report{Mapping: stun.MappingDependent, Mapped: []netip.AddrPort{ap(30478), ap(41191)}}, false},
		{"going down", stun.Report{Mapping: stun.MappingDependent, Mapped: []netip.AddrPort{ap(40012), ap(40011)}}, false},
		{"one answer", stun.Report{Mapping: stun.MappingDependent, Mapped: []netip.AddrPort{ap(40012)}}, false},
		{"cone", stun.Report{Mapping: stun.MappingIndependent, Mapped: []netip.AddrPort{ap(7448), ap(7448)}}, false},
	}
	for _, c := range cases {
		if got := sequential(c.rep); got != c.want {
			t.Errorf("%s: sequential = %v, want %v", c.name, got, c.want)
		}
	}
}
