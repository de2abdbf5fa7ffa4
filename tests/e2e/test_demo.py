"""The README's main job, for real: the demo command in a short mode."""

import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_streams_the_calls_serves_the_pages_and_logs_what_happens(keywordless_model):
    port = free_port()
    command = [sys.executable, "-m", "assist", "demo", "--speed", "4", "--exit-when-done"]
    command += ["--port", str(port), "--model", str(keywordless_model)]
    command += ["--calls", "ru_escalating", "en_calm"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    lines, pages = [], {}
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        url = re.search(r"(http://\S+)", line)
        if url and ("Supervisor" in line or "Agent screen" in line):
            with urllib.request.urlopen(url.group(1), timeout=5) as response:
                pages[url.group(1)] = (response.status, response.read().decode())
    assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    log = "\n".join(lines)

    assert f"http://127.0.0.1:{port}/supervisor" in pages
    assert all(status == 200 for status, _ in pages.values())
    assert any("supervisor.js" in body for _, body in pages.values())
    assert "call started (ru" in log and "call started (en" in log
    assert re.search(r"ru_escalating\s+customer: .*\S", log), "no Russian transcript line"
    assert re.search(r"en_calm\s+(customer|agent): .*\S", log), "no English transcript line"
    assert re.search(r"ru_escalating\s+ANGER calm -> (tense|angry)", log)
    assert re.search(r"ru_escalating\s+SUGGEST", log)
    assert not re.search(r"en_calm\s+(ANGER|FLAG|SUGGEST)", log), "the calm call raised a flag"
    assert log.count("call ended") == 2 and "All demo calls have ended." in log
    # The log reads in time order, and a jump to angry never reads "steady".
    stamps = [float(m.group(1)) for line in lines if (m := re.match(r"\s*(\d+\.\d)s ", line))]
    assert stamps and stamps == sorted(stamps)
    assert not re.search(r"ANGER \w+ -> angry \([\d.]+, steady\)", log)
