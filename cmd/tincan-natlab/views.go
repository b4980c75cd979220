//go:build linux

package main

import "time"

// The CLI's --json shapes this harness reads (README: fields are only added).
type contactView struct {
	Name   string `json:"name"`
	Online bool   `json:"online"`
	Path   string `json:"path"`
	Addr   string `json:"addr"`
	Remote string `json:"remote"`
	Via    string `json:"via"`
}

type messageView struct {
	ID        string    `json:"id"`
	Direction string    `json:"direction"`
	Text      string    `json:"text"`
	SentAt    time.Time `json:"sent_at"`
	At        time.Time `json:"at"`
	State     string    `json:"state"`
}

type overlayStatus struct {
	Joined    bool     `json:"joined"`
	JoinError string   `json:"join_error"`
	Peers     int      `json:"peers"`
	Links     int      `json:"links"`
	Observed  []string `json:"observed"`
	EntryRole string   `json:"entry_role"`
}

type statusView struct {
	Name    string         `json:"name"`
	Listen  string         `json:"listen"`
	Overlay *overlayStatus `json:"overlay"`
	NAT     *natView       `json:"nat"`
	Call    *callView      `json:"call"`
}

// natView is the "nat" object of `status --json`.
type natView struct {
	Type      string   `json:"type"`
	Mapping   string   `json:"mapping"`
	Filtering string   `json:"filtering"`
	External  string   `json:"external"`
	Mapped    []string `json:"mapped"`
	Error     string   `json:"error"`
}

// callView is the "call" object of `status --json`.
type callView struct {
	State     string  `json:"state"` // idle, calling, ringing, connecting, active, ended
	Contact   string  `json:"contact"`
	Direction string  `json:"direction"`
	Path      string  `json:"path"` // punched-udp, direct or relay
	Relay     string  `json:"relay"`
	Remote    string  `json:"remote"`
	Duration  float64 `json:"duration_seconds"`
	Reason    string  `json:"reason"`
	Error     string  `json:"error"`
	Stats     *struct {
		Sent     uint64 `json:"sent"`
		Received uint64 `json:"received"`
	} `json:"stats"`
}
