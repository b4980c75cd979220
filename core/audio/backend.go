package audio

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gen2brain/malgo"
)

// nullBackend is miniaudio's ma_backend_null. malgo v0.11.24's Go enum
// lacks ma_backend_custom, so its BackendNull is really ma_backend_custom
// (which fails with "No backend"); the null backend is one past it.
// TestNullBackendValue checks this against the vendored miniaudio.h.
const nullBackend = malgo.Backend(malgo.BackendNull + 1)

// backends maps MalgoConfig.Backend names to miniaudio backends.
var backends = map[string]malgo.Backend{
	"wasapi":     malgo.BackendWasapi,
	"dsound":     malgo.BackendDsound,
	"winmm":      malgo.BackendWinmm,
	"coreaudio":  malgo.BackendCoreaudio,
	"sndio":      malgo.BackendSndio,
	"audio4":     malgo.BackendAudio4,
	"oss":        malgo.BackendOss,
	"pulseaudio": malgo.BackendPulseaudio,
	"alsa":       malgo.BackendAlsa,
	"jack":       malgo.BackendJack,
	"aaudio":     malgo.BackendAaudio,
	"opensl":     malgo.BackendOpensl,
	"webaudio":   malgo.BackendWebaudio,
	"null":       nullBackend,
}

// backendList turns a backend name into miniaudio's list: nil (the
// platform's backends in miniaudio's order) for "".
func backendList(name string) ([]malgo.Backend, error) {
	if name == "" {
		return nil, nil
	}
	b, ok := backends[name]
	if !ok {
		names := make([]string, 0, len(backends))
		for n := range backends {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("audio: unknown backend %q (want one of %s)", name, strings.Join(names, ", "))
	}
	return []malgo.Backend{b}, nil
}

// parseDeviceID turns an Info.ID back into miniaudio's ID; nil for "".
func parseDeviceID(s string) (*malgo.DeviceID, error) {
	if s == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(s)
	var id malgo.DeviceID
	if err != nil || len(b) > len(id) {
		return nil, fmt.Errorf("audio: bad device ID %q", s)
	}
	copy(id[:], b)
	return &id, nil
}

// contextMu serialises miniaudio context init and uninit, which miniaudio
// documents as unsafe across threads (some backends share global state).
var contextMu sync.Mutex

// initContext makes a miniaudio context under contextMu.
func initContext(list []malgo.Backend, logProc malgo.LogProc) (*malgo.AllocatedContext, error) {
	contextMu.Lock()
	defer contextMu.Unlock()
	return malgo.InitContext(list, malgo.ContextConfig{}, logProc)
}

// freeContext uninitialises and frees a context under contextMu.
func freeContext(ctx *malgo.AllocatedContext) error {
	contextMu.Lock()
	defer contextMu.Unlock()
	err := ctx.Uninit()
	ctx.Free()
	return err
}
