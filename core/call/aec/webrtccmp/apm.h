// C interface to webrtc::AudioProcessing for cgo (see apm.cc).
#ifndef TINCAN_WEBRTCCMP_APM_H
#define TINCAN_WEBRTCCMP_APM_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct wapm wapm;

typedef struct {
	int delay_ms;        // set_stream_delay_ms every chunk
	int aec;             // 0 off, 1 full AEC, 2 mobile AECM
	int aec_level;       // 0 low, 1 moderate, 2 high suppression
	int ns_level;        // -1 off, 0 low .. 3 very high
	int extended_filter; // ExtendedFilter (longer tail)
	int delay_agnostic;  // DelayAgnostic (estimates the delay itself)
	int high_pass;       // high-pass filter on the capture side
} wapm_config;

// wapm_new returns NULL and sets *err (a webrtc error code) on failure.
wapm *wapm_new(const wapm_config *cfg, int *err);
// wapm_process handles n samples (a multiple of 480, 10 ms at 48 kHz);
// out may be near. It returns 0 or the first webrtc error code.
int wapm_process(wapm *w, const int16_t *near, const int16_t *far, int16_t *out, int n);
void wapm_free(wapm *w);

#ifdef __cplusplus
}
#endif
#endif
