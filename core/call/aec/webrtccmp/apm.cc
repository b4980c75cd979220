//go:build webrtcaec

// extern "C" shim over webrtc::AudioProcessing (libwebrtc-audio-processing
// 0.3) using its float interface, 10 ms mono chunks at 48 kHz.
#include "apm.h"

#include <webrtc/modules/audio_processing/include/audio_processing.h>

namespace {
constexpr int kRate = 48000;
constexpr int kChunk = kRate / 100;
}  // namespace

struct wapm {
	webrtc::AudioProcessing *apm;
	webrtc::StreamConfig stream;
	int delay_ms;
	float near_f[kChunk];
	float far_f[kChunk];
	float out_f[kChunk];
};

static float to_float(int16_t v) { return v / 32768.0f; }

static int16_t to_int16(float v) {
	float s = v * 32768.0f;
	if (s > 32767.0f) return 32767;
	if (s < -32768.0f) return -32768;
	return static_cast<int16_t>(s >= 0 ? s + 0.5f : s - 0.5f);
}

extern "C" wapm *wapm_new(const wapm_config *cfg, int *err) {
	webrtc::Config config;
	config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(cfg->extended_filter != 0));
	config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(cfg->delay_agnostic != 0));
	webrtc::AudioProcessing *apm = webrtc::AudioProcessing::Create(config);
	if (apm == nullptr) {
		*err = -1;
		return nullptr;
	}
	int e = 0;
	auto check = [&](int r) { if (e == 0 && r != 0) e = r; };
	if (cfg->aec == 1) {
		check(apm->echo_cancellation()->enable_drift_compensation(false));
		check(apm->echo_cancellation()->set_suppression_level(
		    static_cast<webrtc::EchoCancellation::SuppressionLevel>(cfg->aec_level)));
		check(apm->echo_cancellation()->Enable(true));
	} else if (cfg->aec == 2) {
		check(apm->echo_control_mobile()->Enable(true));
	}
	if (cfg->ns_level >= 0) {
		check(apm->noise_suppression()->set_level(
		    static_cast<webrtc::NoiseSuppression::Level>(cfg->ns_level)));
		check(apm->noise_suppression()->Enable(true));
	}
	check(apm->high_pass_filter()->Enable(cfg->high_pass != 0));
	check(apm->gain_control()->Enable(false));
	webrtc::ProcessingConfig pc = {{
	    webrtc::StreamConfig(kRate, 1), webrtc::StreamConfig(kRate, 1),
	    webrtc::StreamConfig(kRate, 1), webrtc::StreamConfig(kRate, 1)}};
	check(apm->Initialize(pc));
	if (e != 0) {
		delete apm;
		*err = e;
		return nullptr;
	}
	wapm *w = new wapm();
	w->apm = apm;
	w->stream = webrtc::StreamConfig(kRate, 1);
	w->delay_ms = cfg->delay_ms;
	*err = 0;
	return w;
}

extern "C" int wapm_process(wapm *w, const int16_t *near, const int16_t *far, int16_t *out, int n) {
	int first = 0;
	for (int at = 0; at + kChunk <= n; at += kChunk) {
		for (int i = 0; i < kChunk; i++) {
			w->far_f[i] = to_float(far[at + i]);
			w->near_f[i] = to_float(near[at + i]);
		}
		float *far_ch[1] = {w->far_f};
		int r = w->apm->ProcessReverseStream(far_ch, w->stream, w->stream, far_ch);
		if (first == 0) first = r;
		w->apm->set_stream_delay_ms(w->delay_ms);
		const float *near_ch[1] = {w->near_f};
		float *out_ch[1] = {w->out_f};
		r = w->apm->ProcessStream(near_ch, w->stream, w->stream, out_ch);
		if (first == 0) first = r;
		for (int i = 0; i < kChunk; i++) out[at + i] = to_int16(w->out_f[i]);
	}
	return first;
}

extern "C" void wapm_free(wapm *w) {
	if (w == nullptr) return;
	delete w->apm;
	delete w;
}
