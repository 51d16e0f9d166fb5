"""Results streamed one line at a time as they are judged, so none is lost if a run dies."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..results import RequirementResult


class NdjsonSink:
    def __init__(self, path: Path):
        self._file: TextIO = path.open("w", encoding="utf-8")

    def __call__(self, result: RequirementResult) -> None:
        self._file.write(result.model_dump_json() + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()
