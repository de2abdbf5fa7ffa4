"""First run on a fresh machine: ``ivr-assist demo --exit-when-done`` with an
empty model cache, timed from launch to the first transcript line and to the
end. The target: the first transcript line within 60 s (the shipped models
load at once; without them the models are built first, ~9 minutes each).

``./run bench first_run [--calls ru_escalating en_escalating] [--speed 1]``
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSCRIPT = re.compile(r"^\s*\d+\.\ds \S+\s+(customer|agent): \S")
TARGET_S = 60.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench first_run")
    parser.add_argument("--calls", nargs="+", default=None, help="default: the demo's four")
    parser.add_argument("--speed", type=float, default=1.0)
    args = parser.parse_args(argv or [])

    from assist.shipped_models import stale_reason
    from ivr.asr.models import find_cached_published_model

    for lang in ("ru", "en"):
        published = find_cached_published_model(lang)
        if published is not None:
            print(
                f"note: a published {lang} model is installed ({published}); it is used, "
                "so this is not a fresh machine's first run"
            )
        reason = stale_reason(lang)
        print(f"shipped {lang} model: " + ("current" if reason is None else f"NOT USED: {reason}"))

    with tempfile.TemporaryDirectory(prefix="first-run-cache-") as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache, "PYTHONUNBUFFERED": "1"}
        env.pop("IVR_ASSIST_MODEL", None)
        command = [sys.executable, "-m", "assist", "demo", "--exit-when-done", "--port", "0"]
        command += ["--speed", str(args.speed)]
        if args.calls:
            command += ["--calls", *args.calls]
        started = time.monotonic()
        first: float | None = None
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            if first is None and TRANSCRIPT.match(line):
                first = time.monotonic() - started
                print(f"first transcript line after {first:.1f} s: {line.strip()[:70]}")
        code = process.wait()
        total = time.monotonic() - started
    print(f"demo exit code {code}; the whole run took {total:.1f} s (speed {args.speed})")
    if first is None:
        print("no transcript line at all")
    else:
        verdict = "within" if first <= TARGET_S else "OVER"
        print(f"first transcript line: {first:.1f} s ({verdict} the {TARGET_S:.0f} s target)")


if __name__ == "__main__":
    main(sys.argv[1:])
