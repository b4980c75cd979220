package overlay

import "time"

// Params are a Node's tunables. Zero fields take DefaultParams' values.
type Params struct {
	K            int           // bucket size, lookup width and rendezvous replicas
	Alpha        int           // parallel requests per lookup
	PerSubnet    int           // entries per bucket from one /24 or /48
	Replacements int           // replacement candidates per full bucket
	ProbeAfter   time.Duration // silence after which a full bucket probes its oldest entry
	RPCTimeout   time.Duration // a request without a response fails after this

	MaintainInterval time.Duration // how often to re-announce and refresh (with ±10% jitter)
	RefreshInterval  time.Duration // a bucket no lookup touched for this long is refreshed
	StoreGrace       time.Duration // records outlive their hour by this much
	MaxStored        int           // records this node holds for others
	MaxPerKey        int           // records held under one tag

	FloodTTL     uint8         // hops a flood travels
	ConnectTTL   uint8         // hops a routed connect travels
	FloodRate    float64       // new floods accepted per second from one link
	FloodBurst   float64       // and at once
	MaxAge       time.Duration // a flood or connect older than this is stale
	MaxSkew      time.Duration // or dated this far in the future
	SetupTimeout time.Duration // wait for a connect answer
	FloodTimeout time.Duration // wait for a flood answer

	RecentSize int           // recently contacted hosts kept (LRU)
	RecentTTL  time.Duration // a set-up result is reused this long
}

// DefaultParams returns the values the overlay runs with.
func DefaultParams() Params {
	return Params{
		K:            8,
		Alpha:        3,
		PerSubnet:    2,
		Replacements: 4,
		ProbeAfter:   15 * time.Minute,
		RPCTimeout:   2 * time.Second,

		MaintainInterval: 10 * time.Minute,
		RefreshInterval:  time.Hour,
		StoreGrace:       10 * time.Minute,
		MaxStored:        4096,
		MaxPerKey:        4,

		FloodTTL:     10,
		ConnectTTL:   24,
		FloodRate:    5,
		FloodBurst:   20,
		MaxAge:       2 * time.Minute,
		MaxSkew:      30 * time.Second,
		SetupTimeout: 5 * time.Second,
		FloodTimeout: 10 * time.Second,

		RecentSize: 32,
		RecentTTL:  2 * time.Minute,
	}
}

// withDefaults fills zero fields from DefaultParams.
func (p Params) withDefaults() Params {
	d := DefaultParams()
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	setD := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&p.K, d.K)
	set(&p.Alpha, d.Alpha)
	set(&p.PerSubnet, d.PerSubnet)
	set(&p.Replacements, d.Replacements)
	setD(&p.ProbeAfter, d.ProbeAfter)
	setD(&p.RPCTimeout, d.RPCTimeout)
	setD(&p.MaintainInterval, d.MaintainInterval)
	setD(&p.RefreshInterval, d.RefreshInterval)
	setD(&p.StoreGrace, d.StoreGrace)
	set(&p.MaxStored, d.MaxStored)
	set(&p.MaxPerKey, d.MaxPerKey)
	if p.FloodTTL == 0 || p.FloodTTL > MaxTTL {
		p.FloodTTL = d.FloodTTL
	}
	if p.ConnectTTL == 0 || p.ConnectTTL > MaxTTL {
		p.ConnectTTL = d.ConnectTTL
	}
	if p.FloodRate <= 0 {
		p.FloodRate = d.FloodRate
	}
	if p.FloodBurst < 1 {
		p.FloodBurst = d.FloodBurst
	}
	setD(&p.MaxAge, d.MaxAge)
	setD(&p.MaxSkew, d.MaxSkew)
	setD(&p.SetupTimeout, d.SetupTimeout)
	setD(&p.FloodTimeout, d.FloodTimeout)
	set(&p.RecentSize, d.RecentSize)
	setD(&p.RecentTTL, d.RecentTTL)
	if p.K > MaxPeers {
		p.K = MaxPeers
	}
	return p
}
