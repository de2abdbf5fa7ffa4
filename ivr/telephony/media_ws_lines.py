"""The call lines of the websocket media server (:mod:`ivr.telephony.media_ws_server`):
how a Twilio Media Stream and a FreeSWITCH mod_audio_fork stream play a
prompt, stop it and hang up, and the websocket close codes and reasons both
use.
"""

from __future__ import annotations

import asyncio
import contextlib

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from ivr.audio.g711 import mulaw_encode
from ivr.telephony import audio_fork_codec as fork
from ivr.telephony import twilio_codec as tw
from ivr.telephony.base_line import Playback, QueueLine
from ivr.telephony.ids import printable
from ivr.telephony.line import LineInfo, LineMark

CLOSE_NORMAL = 1000
CLOSE_TOO_BIG = 1009  # sent by the websockets library itself
CLOSE_PROTOCOL_ERROR = 4400
CLOSE_START_TIMEOUT = 4408
TWILIO_CHUNK_BYTES = 160  # 20 ms of 8 kHz mu-law per outbound media message


def peer_name(connection: ServerConnection) -> str:
    peer = connection.remote_address
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


def closed_reason(exc: ConnectionClosed, max_message_bytes: int) -> tuple[str, bool]:
    """(reason, is_error) for a websocket that closed under us."""
    if exc.sent is not None and exc.sent.code == CLOSE_TOO_BIG:
        return f"message too big (over {max_message_bytes} bytes); closed with 1009", True
    if exc.rcvd is not None:
        code, why = exc.rcvd.code, printable(exc.rcvd.reason, 60)
        text = f"connection closed by the peer ({code}{' ' + why if why else ''})"
        return text, code not in (1000, 1001)
    return "connection lost without a close frame", True


async def close_websocket(connection: ServerConnection, code: int, reason: str) -> None:
    with contextlib.suppress(ConnectionClosed, OSError):
        await connection.close(code, reason.encode("utf-8")[:120].decode("utf-8", "ignore"))


class _WebsocketLine(QueueLine):
    def __init__(self, info: LineInfo, connection: ServerConnection) -> None:
        super().__init__(info)
        self.connection = connection

    async def _send(self, message: str) -> bool:
        try:
            await self.connection.send(message)
        except (ConnectionClosed, OSError):
            return False
        return True


class TwilioLine(_WebsocketLine):
    """A call on a bidirectional Twilio Media Stream.

    ``play`` sends the audio as 20 ms mu-law ``media`` messages, then a
    ``mark``; it is done when Twilio echoes the mark (the audio has played).
    ``clear`` sends ``clear``. ``hangup`` closes the websocket (Twilio then
    continues with the TwiML after ``<Connect><Stream>``).
    """

    def __init__(self, info: LineInfo, connection: ServerConnection, stream_sid: str) -> None:
        super().__init__(info, connection)
        self.stream_sid = stream_sid
        self._marks: dict[str, asyncio.Future[None]] = {}
        self._mark_count = 0

    async def _play(self, pcm: bytes, playback: Playback) -> bool:
        mulaw = mulaw_encode(pcm).tobytes()
        for i in range(0, len(mulaw), TWILIO_CHUNK_BYTES):
            if playback.stopped:
                return False
            if not await self._send(
                tw.encode_media(self.stream_sid, mulaw[i : i + TWILIO_CHUNK_BYTES])
            ):
                return False
        self._mark_count += 1
        name = f"play-{self._mark_count}"
        echoed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks[name] = echoed
        try:
            if not await self._send(tw.encode_mark(self.stream_sid, name)):
                return False
            return await playback.until(echoed)
        finally:
            self._marks.pop(name, None)

    def mark_echoed(self, name: str) -> None:
        echoed = self._marks.pop(name, None)
        if echoed is not None and not echoed.done():
            echoed.set_result(None)
        self.push(LineMark(name))

    async def _send_clear(self) -> None:
        await self._send(tw.encode_clear(self.stream_sid))

    async def _close(self, reason: str) -> None:
        await close_websocket(self.connection, CLOSE_NORMAL, reason)


class AudioForkLine(_WebsocketLine):
    """A call forked by FreeSWITCH mod_audio_fork.

    ``play`` sends one ``playAudio`` message with the whole prompt as raw L16
    at the line's rate. FreeSWITCH reports nothing when playback ends, so the
    play counts as done once the audio's duration has elapsed since sending.
    ``clear`` sends ``killAudio``; ``hangup`` sends ``disconnect`` and closes.
    """

    async def _play(self, pcm: bytes, playback: Playback) -> bool:
        if not await self._send(fork.encode_play_audio(pcm, self.info.rate_hz)):
            return False
        return not await playback.sleep(len(pcm) / 2 / self.info.rate_hz)

    async def _send_clear(self) -> None:
        await self._send(fork.encode_kill_audio())

    async def _close(self, reason: str) -> None:
        await self._send(fork.encode_disconnect())
        await close_websocket(self.connection, CLOSE_NORMAL, reason)
