package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// maxBusAddress bounds the D-Bus address taken from the environment.
const maxBusAddress = 4096

// busDialTimeout bounds the check that a session bus answers.
const busDialTimeout = 300 * time.Millisecond

// busEndpoint is one address a D-Bus client may connect to.
type busEndpoint struct {
	network, addr string // as net.Dial takes them
}

// parseBusAddress reads a D-Bus server address list ("unix:path=/run/...;
// tcp:host=...,port=..."), keeping the endpoints a client can dial.
func parseBusAddress(s string) []busEndpoint {
	if len(s) > maxBusAddress {
		return nil
	}
	var out []busEndpoint
	for _, entry := range strings.Split(s, ";") {
		transport, params, ok := strings.Cut(entry, ":")
		if !ok {
			continue
		}
		kv := map[string]string{}
		for _, p := range strings.Split(params, ",") {
			k, v, ok := strings.Cut(p, "=")
			if !ok {
				continue
			}
			if u, err := url.PathUnescape(v); err == nil {
				kv[k] = u
			}
		}
		switch transport {
		case "unix":
			if p := kv["path"]; p != "" {
				out = append(out, busEndpoint{"unix", p})
			} else if a := kv["abstract"]; a != "" {
				out = append(out, busEndpoint{"unix", "@" + a})
			}
		case "tcp":
			if h, p := kv["host"], kv["port"]; h != "" && p != "" {
				out = append(out, busEndpoint{"tcp", net.JoinHostPort(h, p)})
			}
		}
	}
	return out
}

// sessionBusReachable reports whether some endpoint of the bus address
// accepts a connection.
func sessionBusReachable(addr string) bool {
	for _, e := range parseBusAddress(addr) {
		c, err := net.DialTimeout(e.network, e.addr, busDialTimeout)
		if err == nil {
			c.Close()
			return true
		}
	}
	return false
}

// The StatusNotifierWatcher is the D-Bus service through which tray icons
// reach the desktop's tray host (KDE, XFCE, Cinnamon, GNOME with the
// AppIndicator extension; stock GNOME has none).
const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = "/StatusNotifierWatcher"
	hostProperty = "IsStatusNotifierHostRegistered"
)

// errNoTrayHost means the session bus answers but nothing on it shows tray
// icons.
var errNoTrayHost = errors.New("no system tray host on the session bus")

// trayHost reports why a tray icon cannot be shown over the session bus at
// addr, or nil when a StatusNotifierWatcher answers with a host registered.
func trayHost(ctx context.Context, addr string) error {
	if !sessionBusReachable(addr) {
		return errors.New("no D-Bus session bus")
	}
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("connect to the session bus: %w", err)
	}
	defer conn.Close()
	var v dbus.Variant
	err = conn.Object(watcherName, watcherPath).CallWithContext(ctx,
		"org.freedesktop.DBus.Properties.Get", dbus.FlagNoAutoStart, watcherName, hostProperty).Store(&v)
	if err != nil {
		return fmt.Errorf("%w (%s: %v)", errNoTrayHost, watcherName, err)
	}
	if registered, ok := v.Value().(bool); !ok || !registered {
		return fmt.Errorf("%w (%s has no host registered)", errNoTrayHost, watcherName)
	}
	return nil
}
