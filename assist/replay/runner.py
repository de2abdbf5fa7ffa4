"""Running a batch of calls: in this process (``jobs=1``) or across worker
processes, each loading the model once; a progress bar on stderr.

A worker process that dies (a crash inside the recogniser) takes down the
pool; the calls it had not finished are then replayed again one at a time,
each in a fresh process, so only the call that kills its process fails.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from tqdm import tqdm

from assist.replay.inputs import ReplayInput
from assist.replay.worker import JobResult, Replayer, ReplaySettings, init_worker, replay_in_worker

OnResult = Callable[[JobResult], JobResult]


def replay_all(
    inputs: Sequence[ReplayInput],
    settings: ReplaySettings,
    *,
    jobs: int = 1,
    on_result: OnResult | None = None,
    progress: bool | None = None,
) -> list[JobResult]:
    """Replay every input; results in input order. ``on_result`` sees each
    result as it arrives (in this process) and may return a changed one
    (e.g. failed because it could not be stored). ``progress=None`` shows
    the bar only on a terminal."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    bar = tqdm(
        total=len(inputs),
        unit="call",
        file=sys.stderr,
        disable=(not sys.stderr.isatty()) if progress is None else not progress,
        desc="replay",
    )
    started = time.perf_counter()
    audio_s = 0.0
    results: dict[int, JobResult] = {}

    def done(index: int, result: JobResult) -> None:
        nonlocal audio_s
        if on_result is not None:
            result = on_result(result)
        results[index] = result
        if result.run is not None:
            audio_s += result.run.duration_s
        elapsed = max(time.perf_counter() - started, 1e-9)
        bar.set_postfix_str(f"{audio_s / elapsed:.1f}x real time", refresh=False)
        bar.update(1)

    work = []
    for index, item in enumerate(inputs):
        if item.problem is not None or item.audio is None:
            done(index, JobResult(item, None, item.problem or "no recording"))
        else:
            work.append(index)
    try:
        if jobs == 1 or len(work) <= 1:
            replayer = Replayer(settings)
            for index in work:
                done(index, replayer.replay(inputs[index]))
        else:
            broken = _in_pool(inputs, work, settings, jobs, done)
            for index in broken:  # one at a time, each in a fresh process
                again = _in_pool(inputs, [index], settings, 1, done)
                for lost in again:
                    done(
                        lost,
                        JobResult(
                            inputs[lost],
                            None,
                            "the replay process died (a crash in the recogniser?)",
                        ),
                    )
    finally:
        bar.close()
    return [results[i] for i in range(len(inputs))]


def _in_pool(
    inputs: Sequence[ReplayInput],
    work: list[int],
    settings: ReplaySettings,
    jobs: int,
    done: Callable[[int, JobResult], None],
) -> list[int]:
    """Replay ``work`` in a pool of ``jobs`` processes; returns the indices
    lost to a dead worker."""
    context = multiprocessing.get_context("spawn")  # never fork a process holding threads
    lost: list[int] = []
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(work)),
        mp_context=context,
        initializer=init_worker,
        initargs=(settings,),
    ) as pool:
        futures: dict[Future[JobResult], int] = {
            pool.submit(replay_in_worker, inputs[i]): i for i in work
        }
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except BrokenProcessPool:
                lost.append(index)
                continue
            except Exception as exc:  # e.g. a result that could not be sent back
                result = JobResult(inputs[index], None, f"{type(exc).__name__}: {exc}")
            done(index, result)
    return sorted(lost)
