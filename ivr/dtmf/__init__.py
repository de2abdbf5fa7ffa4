"""Keypad tones (DTMF): detection in call audio and generation for scripted callers."""

from ivr.dtmf.detector import DtmfDetector, DtmfDigit, DtmfSettings, goertzel_power
from ivr.dtmf.levels import DIGITS, amplitude_of_dbm0, dbm0_of_amplitude, digit_frequencies
from ivr.dtmf.tones import dtmf_sequence, dtmf_tone

__all__ = [
    "DIGITS",
    "DtmfDetector",
    "DtmfDigit",
    "DtmfSettings",
    "amplitude_of_dbm0",
    "dbm0_of_amplitude",
    "digit_frequencies",
    "dtmf_sequence",
    "dtmf_tone",
    "goertzel_power",
]
