package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"tincan/core/control"
	"tincan/core/node"
)

// errRemote is an error the node answered with, carrying its exit code.
type errRemote struct {
	msg  string
	code int
}

func (e errRemote) Error() string { return e.msg }

// runClient sends one control command to the running node and prints the answer.
func runClient(cmd string, rest []string, stdout io.Writer) error {
	a, err := parseArgs(rest, withGlobals(flagSpec{values: []string{"addr", "limit", "keep"}, bools: []string{"json", "new-key"}}))
	if err != nil {
		return err
	}
	c, err := commonFrom(a)
	if err != nil {
		return err
	}
	req, err := buildRequest(cmd, a)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, given := a.flags["keep"]; req.Cmd == "rotate" && !given {
		if req.Keep, err = everyoneKept(ctx, c.home); err != nil {
			return err
		}
	}
	resp, err := control.Call(ctx, c.home, req)
	if errors.Is(err, control.ErrNoAnswer) {
		if req.Cmd == "send" {
			return fmt.Errorf("the node stopped before answering: the message to %s may or may not have been queued; check 'tincan history %s'", req.Name, req.Name)
		}
		return errors.New("the node stopped before answering; check 'tincan status'")
	}
	if err != nil {
		return err
	}
	if !resp.OK {
		return errRemote{msg: resp.Error, code: resp.Code}
	}
	if a.bool("json") {
		_, err := fmt.Fprintln(stdout, string(resp.Data))
		return err
	}
	return printHuman(stdout, req.Cmd, resp.Data)
}

func buildRequest(cmd string, a args) (control.Request, error) {
	switch cmd {
	case "id", "status":
		return control.Request{Cmd: cmd}, a.want(0, cmd+" [--json]")
	case "send":
		if err := a.want(2, "send NAME TEXT"); err != nil {
			return control.Request{}, err
		}
		return control.Request{Cmd: "send", Name: a.pos[0], Text: a.pos[1]}, nil
	case "history":
		if err := a.want(1, "history NAME [--json] [--limit N]"); err != nil {
			return control.Request{}, err
		}
		limit, err := strconv.Atoi(a.get("limit", "0"))
		if err != nil || limit < 0 {
			return control.Request{}, usagef("--limit must be a whole number, not %q", a.get("limit", ""))
		}
		return control.Request{Cmd: "history", Name: a.pos[0], Limit: limit}, nil
	case "contacts":
		return contactsRequest(a)
	case "relay":
		return relayRequest(a)
	case "call", "answer", "decline":
		if err := a.want(1, cmd+" NAME"); err != nil {
			return control.Request{}, err
		}
		return control.Request{Cmd: cmd, Name: a.pos[0]}, nil
	case "hangup":
		return control.Request{Cmd: cmd}, a.want(0, "hangup")
	case "mute":
		if err := a.want(1, "mute on|off"); err != nil {
			return control.Request{}, err
		}
		if v := a.pos[0]; v != "on" && v != "off" {
			return control.Request{}, usagef("mute: want on or off, not %q", v)
		}
		return control.Request{Cmd: "mute", Text: a.pos[0]}, nil
	case "rotate":
		if err := a.want(0, "rotate [--keep NAME,...] [--new-key] [--json]"); err != nil {
			return control.Request{}, err
		}
		var keep []string
		for _, name := range strings.Split(a.get("keep", ""), ",") {
			if name = strings.TrimSpace(name); name != "" {
				keep = append(keep, name)
			}
		}
		return control.Request{Cmd: "rotate", Keep: keep, NewKey: a.bool("new-key")}, nil
	}
	return control.Request{}, usagef("unknown command %q", cmd)
}

// everyoneKept lists the contacts not yet revoked: whom a rotation without
// --keep sends the new card to.
func everyoneKept(ctx context.Context, home string) ([]string, error) {
	resp, err := control.Call(ctx, home, control.Request{Cmd: "contacts.list"})
	if err != nil {
		return nil, err
	}
	if !resp.OK {
		return nil, errRemote{msg: resp.Error, code: resp.Code}
	}
	var cs []node.ContactView
	if err := json.Unmarshal(resp.Data, &cs); err != nil {
		return nil, fmt.Errorf("contacts list: %w", err)
	}
	var keep []string
	for _, c := range cs {
		if !c.Revoked {
			keep = append(keep, c.Name)
		}
	}
	return keep, nil
}

func contactsRequest(a args) (control.Request, error) {
	const usage = "contacts add NAME CARD [--addr HOST:PORT] | list [--json] | remove NAME"
	if len(a.pos) == 0 {
		return control.Request{}, usagef("usage: tincan %s", usage)
	}
	sub, a2 := a.pos[0], a
	a2.pos = a.pos[1:]
	switch sub {
	case "add":
		if err := a2.want(2, "contacts add NAME CARD [--addr HOST:PORT]"); err != nil {
			return control.Request{}, err
		}
		return control.Request{Cmd: "contacts.add", Name: a2.pos[0], Card: a2.pos[1], Addr: a2.get("addr", "")}, nil
	case "list":
		return control.Request{Cmd: "contacts.list"}, a2.want(0, "contacts list [--json]")
	case "remove":
		if err := a2.want(1, "contacts remove NAME"); err != nil {
			return control.Request{}, err
		}
		return control.Request{Cmd: "contacts.remove", Name: a2.pos[0]}, nil
	}
	return control.Request{}, usagef("usage: tincan %s", usage)
}

func relayRequest(a args) (control.Request, error) {
	const usage = "relay allow NAME | deny NAME | use ask|always|never | serve on|off | caps SESSIONS KIB_PER_S"
	if len(a.pos) == 3 && a.pos[0] == "caps" {
		n, err := strconv.Atoi(a.pos[1])
		if err != nil {
			return control.Request{}, usagef("relay caps: sessions %q is not a whole number", a.pos[1])
		}
		return control.Request{Cmd: "relay.caps", Limit: n, Text: a.pos[2]}, nil
	}
	if len(a.pos) != 2 {
		return control.Request{}, usagef("usage: tincan %s", usage)
	}
	switch sub, v := a.pos[0], a.pos[1]; sub {
	case "allow", "deny":
		return control.Request{Cmd: "relay." + sub, Name: v}, nil
	case "use":
		if v != node.RelaysAsk && v != node.RelaysAlways && v != node.RelaysNever {
			return control.Request{}, usagef("relay use: want ask, always or never, not %q", v)
		}
		return control.Request{Cmd: "relay.use", Text: v}, nil
	case "serve":
		if v != "on" && v != "off" {
			return control.Request{}, usagef("relay serve: want on or off, not %q", v)
		}
		return control.Request{Cmd: "relay.serve", Text: v}, nil
	}
	return control.Request{}, usagef("usage: tincan %s", usage)
}

func printHuman(w io.Writer, cmd string, data json.RawMessage) error {
	switch cmd {
	case "relay.allow", "relay.deny", "relay.use", "relay.serve", "relay.caps",
		"call", "answer", "decline", "hangup", "mute":
		return nil
	case "id":
		var v node.Identity
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, v.Card)
		return err
	case "status":
		var s node.Status
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s (%s)\nlistening on %s, keys in the %s, %d message(s) waiting\n",
			s.Name, s.Fingerprint[:16], orNone(s.Listen), s.Keystore, s.Outbox)
		if c := s.Call; c != nil && c.State != "idle" {
			fmt.Fprintf(w, "call: %s with %s", c.State, c.Contact)
			if c.Path != "" {
				fmt.Fprintf(w, " over %s", c.Path)
			}
			if c.StartedAt != nil {
				fmt.Fprintf(w, ", %.0f s", c.Duration)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w)
		return printContacts(w, s.Contacts)
	case "contacts.list":
		var cs []node.ContactView
		if err := json.Unmarshal(data, &cs); err != nil {
			return err
		}
		return printContacts(w, cs)
	case "contacts.add":
		var c node.ContactView
		if err := json.Unmarshal(data, &c); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "added %s (%s)\n", c.Name, c.Fingerprint[:16])
		return err
	case "contacts.remove":
		return nil
	case "rotate":
		var r node.RotateResult
		if err := json.Unmarshal(data, &r); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, r.Card)
		return err
	case "send":
		var m node.MessageView
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "%s %s\n", m.State, m.ID)
		return err
	case "history":
		var ms []node.MessageView
		if err := json.Unmarshal(data, &ms); err != nil {
			return err
		}
		for _, m := range ms {
			who, state := m.Contact, ""
			if m.Direction == "out" {
				who, state = "me", " ["+m.State+"]"
			}
			fmt.Fprintf(w, "%s  %s: %s%s\n", m.At.Local().Format("2006-01-02 15:04"), who, m.Text, state)
		}
		return nil
	}
	_, err := fmt.Fprintln(w, string(data))
	return err
}

func printContacts(w io.Writer, cs []node.ContactView) error {
	if len(cs) == 0 {
		_, err := fmt.Fprintln(w, "no contacts yet: add one with 'tincan contacts add NAME CARD'")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tPATH\tADDRESS\tUNREAD")
	for _, c := range cs {
		state := "offline"
		switch {
		case c.Revoked:
			state = "revoked"
		case c.Online:
			state = "online"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", c.Name, state, c.Path, orNone(c.Addr), c.Unread)
	}
	return tw.Flush()
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
