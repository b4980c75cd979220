// Package node composes tincan's parts (identity, store, chat) into one
// service and is the only API that ui/ and cmd/ use.
//
// It must never import Fyne, and never block its callers on the network:
// methods commit locally and return; events arrive in order on a queue.
package node

import (
	"time"
)

// ContactView is a contact as the UI and CLI show it. JSON names are part of
// the CLI contract.
type ContactView struct {
	Name        string    `json:"name"`
	Fingerprint string    `json:"fingerprint"` // hex SHA-256 of the public key
	Online      bool      `json:"online"`
	Path        string    `json:"path"`             // how it is reached: direct, punched-tcp, punched-udp, mapped, relay or none
	Relay       string    `json:"relay,omitempty"`  // the relay's address when path is relay
	Addr        string    `json:"addr"`             // address given with the contact
	Remote      string    `json:"remote,omitempty"` // remote address of the live session
	Unread      int       `json:"unread"`
	AddedAt     time.Time `json:"added_at"`
	Revoked     bool      `json:"revoked"` // left out of a rotation: can no longer reach the user
	// Via says how the overlay last found the contact: rendezvous, flood,
	// cache, or incoming-* when the contact found us; empty if never.
	Via         string     `json:"via,omitempty"`
	LastReached *time.Time `json:"last_reached,omitempty"` // when that was
	// RelayConsent is the user's answer about relaying with this contact
	// under the "ask" policy: asked (waiting), allowed, denied, or empty.
	RelayConsent string `json:"relay_consent,omitempty"`
}

// MessageView is a message as the UI and CLI show it. JSON names are part of
// the CLI contract.
type MessageView struct {
	ID        string    `json:"id"`      // 32 hex digits
	Contact   string    `json:"contact"` // contact name
	Direction string    `json:"direction"`
	Text      string    `json:"text"`
	SentAt    time.Time `json:"sent_at"`
	At        time.Time `json:"at"`
	State     string    `json:"state"`          // queued, sent, delivered, received
	Kind      string    `json:"kind,omitempty"` // "call" for a call's line ("Missed call"); empty for a chat message
}

// Status is the node's state as `tincan status --json` prints it.
type Status struct {
	Name        string         `json:"name"`
	Fingerprint string         `json:"fingerprint"`
	Card        string         `json:"card"`
	Listen      string         `json:"listen"`
	Keystore    string         `json:"keystore"`
	Home        string         `json:"home"`
	Contacts    []ContactView  `json:"contacts"`
	Outbox      int            `json:"outbox"`
	Uptime      float64        `json:"uptime_seconds"`
	Overlay     *OverlayStatus `json:"overlay,omitempty"` // nil when disabled
	Relay       *RelayStatus   `json:"relay"`
	NAT         *NATStatus     `json:"nat,omitempty"` // nil until detected
	Call        *CallView      `json:"call"`          // the current call; state "idle" when none
}

// RelayStatus is whether the node uses and serves relays. JSON names are
// part of the CLI contract.
type RelayStatus struct {
	Use          string `json:"use"`   // ask, always or never
	Serve        bool   `json:"serve"` // serving as a relay for others
	Active       int    `json:"active"`
	Waiting      int    `json:"waiting"`
	Sessions     uint64 `json:"sessions"` // relayed since start
	BytesRelayed uint64 `json:"bytes_relayed"`
	Refused      uint64 `json:"refused"`
	MaxSessions  int    `json:"max_sessions"` // cap on relayed sessions at once
	RateKiB      int64  `json:"rate_kib"`     // cap per session and direction, KiB/s
}

// NATStatus is what the node found out about the NAT in front of it. JSON
// names are part of the CLI contract.
type NATStatus struct {
	Type      string   `json:"type"`                // none, full-cone, address-restricted, port-restricted, symmetric or unknown
	Mapping   string   `json:"mapping,omitempty"`   // RFC 4787 mapping behaviour
	Filtering string   `json:"filtering,omitempty"` // RFC 4787 filtering behaviour
	External  string   `json:"external,omitempty"`  // our address as the internet sees it
	Mapped    []string `json:"mapped,omitempty"`    // ports the router maps for us (UPnP / NAT-PMP)
	Error     string   `json:"error,omitempty"`
	// Method is how the NAT was classified: rfc5780 (one STUN server that
	// offers OTHER-ADDRESS and CHANGE-REQUEST) or peers (several servers).
	Method string `json:"method,omitempty"`
	// MappingDetail, with rfc5780: endpoint-independent, address-dependent
	// or address-and-port-dependent.
	MappingDetail string `json:"mapping_detail,omitempty"`
	// TCP is where the NAT maps the listen port for TCP, learnt by dialing
	// peers from it; UDP the same for the node's UDP port, from STUN.
	TCP *PortStatus `json:"tcp,omitempty"`
	UDP *PortStatus `json:"udp,omitempty"`
}

// PortStatus is what the node learnt of how its NAT maps its port for one
// protocol. JSON names are part of the CLI contract.
type PortStatus struct {
	External  string `json:"external,omitempty"` // the external address; one peer's hint unless confirmed
	Mapping   string `json:"mapping"`            // endpoint-independent, endpoint-dependent or unknown
	Observers int    `json:"observers"`          // peers or servers (at distinct IPs) that answered
	Confirmed bool   `json:"confirmed"`          // two or more of them agree on External
}

// OverlayStatus is the node's place in the overlay. JSON names are part of
// the CLI contract.
type OverlayStatus struct {
	GUID       string       `json:"guid"` // 40 hex digits: the node key's hash, not the user's
	Joined     bool         `json:"joined"`
	JoinError  string       `json:"join_error,omitempty"`
	Peers      int          `json:"peers"`   // routing-table entries
	Buckets    []BucketView `json:"buckets"` // the non-empty buckets
	Links      int          `json:"links"`   // live overlay links
	Candidates []string     `json:"candidates"`
	Observed   []string     `json:"observed"`   // how peers see our address
	EntryRole  string       `json:"entry_role"` // none, candidate or entry
}

// BucketView is one routing-table bucket: peers sharing Index leading bits with us.
type BucketView struct {
	Index int `json:"index"`
	Peers int `json:"peers"`
}

// Event is something the UI shows as it happens; exactly one field is set.
type Event struct {
	Message  *MessageView // a message arrived, or one of ours changed state
	Presence *ContactView // a contact went online/offline or changed path
	Contacts bool         // the contact list changed (added/removed)
	RelayAsk *ContactView // no direct path to this contact: may a relay be used?
	Call     *CallView    // the current call changed (rings, answered, ended...)
}
