"""Where call audio comes from: recorded files, the microphone, and a feed for network ingress."""

from ivr.sources.audio_file import (
    RAW_G711_EXTENSIONS,
    AudioFileError,
    AudioFileInfo,
    iter_audio_blocks,
    probe_audio_file,
    read_audio,
    write_wav,
)
from ivr.sources.feed import (
    AudioFeed,
    FeedClosedError,
    FeedError,
    FeedFullError,
    OversizedPushError,
)
from ivr.sources.mic import (
    InputDevice,
    MicrophoneError,
    MicSource,
    NoInputDeviceError,
    list_input_devices,
)
from ivr.sources.wav import WavSource

__all__ = [
    "RAW_G711_EXTENSIONS",
    "AudioFeed",
    "AudioFileError",
    "AudioFileInfo",
    "FeedClosedError",
    "FeedError",
    "FeedFullError",
    "InputDevice",
    "MicSource",
    "MicrophoneError",
    "NoInputDeviceError",
    "OversizedPushError",
    "WavSource",
    "iter_audio_blocks",
    "list_input_devices",
    "probe_audio_file",
    "read_audio",
    "write_wav",
]
