package node

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"tincan/core/store"
)

// Settings of the app's message notifications, kept in the store so they
// follow the home (a backup, another computer).
const (
	settingNotifyText = "notify-text"  // "off" hides message text; anything else shows it
	settingMutePrefix = "notify-mute:" // + a contact's fingerprint: "on" mutes it
)

// NotifyText reports whether notifications show a message's text (the
// default) rather than only who wrote.
func (n *Node) NotifyText(ctx context.Context) (bool, error) {
	v, err := n.st.Setting(ctx, settingNotifyText)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("read the notification setting: %w", err)
	}
	return v != "off", nil
}

// SetNotifyText sets whether notifications show a message's text.
func (n *Node) SetNotifyText(ctx context.Context, on bool) error {
	v := "on"
	if !on {
		v = "off"
	}
	if err := n.st.SetSetting(ctx, settingNotifyText, v); err != nil {
		return fmt.Errorf("save the notification setting: %w", err)
	}
	return nil
}

// Muted reports whether the contact called name is muted: its messages
// raise no notification.
func (n *Node) Muted(ctx context.Context, name string) (bool, error) {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return false, err
	}
	v, err := n.st.Setting(ctx, settingMutePrefix+hex.EncodeToString(c.Fingerprint))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read whether %s is muted: %w", c.Name, err)
	}
	return v == "on", nil
}

// SetMuted mutes or unmutes the contact called name.
func (n *Node) SetMuted(ctx context.Context, name string, on bool) error {
	c, err := n.contactByName(ctx, name)
	if err != nil {
		return err
	}
	v := "off"
	if on {
		v = "on"
	}
	if err := n.st.SetSetting(ctx, settingMutePrefix+hex.EncodeToString(c.Fingerprint), v); err != nil {
		return fmt.Errorf("save whether %s is muted: %w", c.Name, err)
	}
	return nil
}
