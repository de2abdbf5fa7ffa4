"""Telephony ingress: Asterisk AudioSocket, Twilio Media Streams and FreeSWITCH
mod_audio_fork, each turned into one :class:`~ivr.telephony.line.Line` per call.

- pure protocol codecs: ``audiosocket_codec``, ``twilio_codec``, ``audio_fork_codec``;
- thin asyncio servers: ``audiosocket_server.serve_audiosocket``,
  ``media_ws_server.serve_media_websockets``;
- peers acting as the telephony side, for tests and benchmarks: ``clients``;
- what a peer may name a call with, and client text made safe for a log: ``ids``.

Only the interface is imported here, so importing a codec pulls in no I/O.
"""

from ivr.telephony.errors import ProtocolError
from ivr.telephony.line import (
    Line,
    LineAudio,
    LineDtmf,
    LineEvent,
    LineHangup,
    LineInfo,
    LineMark,
)

__all__ = [
    "Line",
    "LineAudio",
    "LineDtmf",
    "LineEvent",
    "LineHangup",
    "LineInfo",
    "LineMark",
    "ProtocolError",
]
