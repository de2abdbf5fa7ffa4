"""``ivr-assist ivr`` as a user runs it: starts the hub and the listeners,
says where they are, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path


def test_ivr_command_starts_listeners_and_stops_on_sigterm(
    random_model: Path, tmp_path: Path
) -> None:
    args = ["ivr", "--port", "0", "--audiosocket", "127.0.0.1:0:ru", "--media-ws", "127.0.0.1:0"]
    args += ["--model", str(random_model), "--no-store", "--prompt-cache", str(tmp_path)]
    process = subprocess.Popen(
        [sys.executable, "-m", "assist", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if line.startswith("IVR menu") or not line:
                break
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    output = "".join(lines) + rest
    assert "IVR menu 'telecom_support' (ru, en): AudioSocket on 127.0.0.1:" in output
    assert "/twilio and /audio_fork" in output
    assert "shutting down" in output
    assert process.returncode == 0
