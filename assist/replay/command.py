"""``ivr-assist replay``: recorded calls through the live pipeline, into the
store and the QA report, one line per call on stdout."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from assist.chain.chain import EventChain
from assist.chain.redaction import redaction_config, redactors
from assist.offline import through_chain
from assist.replay.inputs import discover
from assist.replay.runner import replay_all
from assist.replay.store_sink import ReplayStoreSink
from assist.replay.worker import JobResult, ReplaySettings
from assist.report import ReportWriter
from assist.report.metrics import call_metrics
from assist.store import CallStore, StoreError, open_store
from ivr.asr.model_dir import ModelDirError, validate_model_dir
from ivr.asr.vosk_engine import ModelLoadError

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2


def _model_dir(args: argparse.Namespace) -> Path:
    """Resolve (building if it must) the model once, before any worker starts."""
    from assist.engines import build_own_model
    from ivr.asr.models import resolve_model

    if getattr(args, "engine", "vosk") == "whisper":
        from ivr.asr.whisper_engine import require_faster_whisper
        from ivr.asr.whisper_model import resolve_whisper_model

        require_faster_whisper()
        whisper = resolve_whisper_model(args.whisper_model, allow_download=args.download)
        return Path(whisper.path)

    resolved = resolve_model(
        args.model,
        args.lang,
        allow_download=args.download,
        build=lambda lang: build_own_model(lang, progress=sys.stderr.isatty()),
    )
    try:
        validate_model_dir(resolved.path)
    except ModelDirError as exc:
        raise ModelLoadError(str(exc)) from None
    return resolved.path


def _describe(result: JobResult, engine: str = "vosk") -> str:
    run = result.run
    assert run is not None
    m = call_metrics(run.events, run.duration_s, call_id=run.call_id)
    flag = "never flagged" if m.first_flag_s is None else f"first flag {m.first_flag_s:.1f} s"
    how = "transcript given" if result.transcribed else f"recognised by {engine}"
    return (
        f"ok      {result.input.label} -> {run.call_id}: {run.duration_s:.1f} s ({how}), "
        f"peak {m.peak_level.value} {m.peak_score:.2f}, {flag}, "
        f"angry {m.angry_share * 100:.0f}% of the call, {m.agent_warnings} agent warnings"
    )


def run_replay(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    inputs = discover(args.paths)
    if not inputs:
        print("ivr-assist replay: nothing to replay", file=sys.stderr)
        return EXIT_UNUSABLE
    store: CallStore | None = None
    broker = getattr(args, "broker", None)  # the site's store writer keeps the calls
    if not args.no_store and not (broker and args.store is None):
        try:
            store = open_store(args.store)
        except StoreError as exc:
            print(f"ivr-assist replay: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    report: ReportWriter | None = None
    if args.report is not None:
        try:
            report = ReportWriter(args.report)
        except OSError as exc:
            print(
                f"ivr-assist replay: cannot write the report to {args.report}: {exc}",
                file=sys.stderr,
            )
            return EXIT_UNUSABLE
    try:
        needs_model = any(i.transcript is None and i.problem is None for i in inputs)
        settings = ReplaySettings(
            language=args.lang,
            customer_channel=args.customer_channel,
            model_dir=_model_dir(args) if needs_model else None,
            engine=getattr(args, "engine", "vosk"),
            whisper_threads=getattr(args, "whisper_threads", None),
        )
        # The one outbound chain, in this process: redaction, numbering, the store.
        redaction = redaction_config(
            getattr(args, "redact_config", None), enabled=not getattr(args, "no_redact", False)
        )
        chain = EventChain(redactor_for=redactors(redaction), retain_ended_s=0.0)
        stored = ReplayStoreSink(store, settings.engine) if store is not None else None
        if stored is not None:
            chain.add_sink(stored)
        site = None
        if broker:
            from assist.cluster.replaysink import site_replay_sink

            site = site_replay_sink(broker, getattr(args, "access", None), settings.engine)
            chain.add_sink(site)

        def keep(result: JobResult) -> JobResult:
            """Redact, number, store and report each call as it arrives (in this process)."""
            if result.run is not None:
                result = replace(result, run=through_chain(result.run, chain))
            run = result.run
            if run is not None and stored is not None and run.call_id in stored.failures:
                why = stored.failures.pop(run.call_id)
                result = replace(result, run=None, error=f"not stored: {why}")
            if result.run is not None and report is not None:
                try:
                    report.add_call(run.call_id, run.events, run.duration_s, result.input.label)
                except OSError as exc:
                    result = replace(result, run=None, error=f"report not written: {exc}")
            if result.run is not None:
                print(_describe(result, settings.engine), flush=True)
            else:
                if report is not None:
                    report.add_failure(result.input.label, result.error or "failed")
                print(f"FAILED  {result.input.label}: {result.error}", flush=True)
            return result

        results = replay_all(inputs, settings, jobs=args.jobs, on_result=keep)
        if site is not None:
            site.close()
            for call_id, why in site.failures.items():
                print(f"FAILED  {call_id}: not sent to the site: {why}", flush=True)
            if site.failures:
                return EXIT_FAILED
    finally:
        if store is not None:
            store.close()
    failed = [r for r in results if not r.ok]
    audio_s = sum(r.run.duration_s for r in results if r.run is not None)
    elapsed_s = time.perf_counter() - started
    lines = [
        f"replayed {len(results) - len(failed)} of {len(results)} calls"
        + (f" ({len(failed)} failed)" if failed else "")
        + f": {audio_s:.1f} s of audio in {elapsed_s:.1f} s "
        f"({audio_s / max(elapsed_s, 1e-9):.1f}x real time, {args.jobs} job(s))"
    ]
    if store is not None:
        lines.append(f"store: {getattr(store, 'path', args.store)}")
    if broker:
        lines.append(f"sent to the site's store writer: {broker}")
    if report is not None:
        lines.append(f"report: {report.finish()}")
    print("\n".join(lines), flush=True)
    return EXIT_FAILED if failed else EXIT_OK
