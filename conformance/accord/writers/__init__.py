"""Report writers: each turns RunResults into one file format."""

from .junit import write_junit
from .markdown import matrix_markdown, run_markdown
from .ndjson import NdjsonSink

__all__ = ["NdjsonSink", "matrix_markdown", "run_markdown", "write_junit"]
