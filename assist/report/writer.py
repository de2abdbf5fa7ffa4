"""Writing a report folder: one page per call as calls arrive, then the
summary (``index.html``, ``summary.csv``, ``summary.json``). Files are written
whole and renamed into place, so a reader never sees half a page."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from assist.report.call_page import call_view, render_call_page
from assist.report.summary import (
    Failure,
    SummaryRow,
    render_summary_page,
    summary_csv,
    summary_json,
)
from ivr import events as ev

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def page_name(call_id: str, taken: set[str]) -> str:
    base = _UNSAFE.sub("_", call_id).strip("._") or "call"
    name, n = f"{base}.html", 1
    while name.lower() in taken or name.lower() == "index.html":
        n += 1
        name = f"{base}-{n}.html"
    taken.add(name.lower())
    return name


def write_text(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


class ReportWriter:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.rows: list[SummaryRow] = []
        self.failures: list[Failure] = []
        self._taken: set[str] = set()

    def add_call(
        self, call_id: str, events: Sequence[ev.Event], duration_s: float, file_label: str
    ) -> Path:
        """Write the call's page; returns its path."""
        view = call_view(call_id, events, duration_s, file_label)
        name = page_name(call_id, self._taken)
        path = self.out_dir / name
        write_text(path, render_call_page(view))
        spark = tuple((u.at_s, u.score) for u in view.series.anger)
        self.rows.append(SummaryRow(view.metrics, file_label, name, spark))
        return path

    def add_failure(self, file_label: str, error: str) -> None:
        self.failures.append(Failure(file_label, error))

    def finish(self) -> Path:
        """Write the summary files; returns the index page."""
        write_text(self.out_dir / "summary.csv", summary_csv(self.rows, self.failures))
        write_text(
            self.out_dir / "summary.json",
            json.dumps(summary_json(self.rows, self.failures), ensure_ascii=False, indent=1),
        )
        index = self.out_dir / "index.html"
        write_text(index, render_summary_page(self.rows, self.failures))
        return index
