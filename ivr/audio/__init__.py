"""Audio frames and codecs: G.711, resampling, stereo split, 20 ms framing (pure, no I/O)."""

from ivr.audio.frames import (
    FRAME_MS,
    CustomerChannel,
    Framer,
    FramingError,
    StereoSplitter,
    channel_roles,
    float32_to_pcm16,
    frame_samples,
    pcm16_to_float32,
    split_stereo,
    split_stereo_samples,
)
from ivr.audio.g711 import (
    ALAW_DECODE_TABLE,
    MULAW_DECODE_TABLE,
    alaw_decode,
    alaw_encode,
    mulaw_decode,
    mulaw_encode,
)
from ivr.audio.resample import SUPPORTED_RATES_HZ, Resampler, design_filter, resample

__all__ = [
    "ALAW_DECODE_TABLE",
    "FRAME_MS",
    "MULAW_DECODE_TABLE",
    "SUPPORTED_RATES_HZ",
    "CustomerChannel",
    "Framer",
    "FramingError",
    "Resampler",
    "StereoSplitter",
    "alaw_decode",
    "alaw_encode",
    "channel_roles",
    "design_filter",
    "float32_to_pcm16",
    "frame_samples",
    "mulaw_decode",
    "mulaw_encode",
    "pcm16_to_float32",
    "resample",
    "split_stereo",
    "split_stereo_samples",
]
