"""The stdio peer proper: an MCP server run as a subprocess with pipes.

Three daemon threads per process: one reads stdout line by line into the
inbox (a line longer than ``limits.max_bytes`` is cut and the rest of it
skipped), one drains stderr into a bounded buffer (the tail is kept), one
writes to stdin so that a peer which stops reading cannot block the caller.
"""

from __future__ import annotations

import atexit
import os
import queue
import shlex
import shutil
import signal
import subprocess
import threading
import weakref
from dataclasses import dataclass, field
from typing import IO, Any

from accord.peer import Limits, PeerUnavailable, TargetError

from .lines import End, LinePeer

START_GRACE = 0.5
"""Seconds a process started by open_peer is watched for exiting at once (then
PeerUnavailable). fresh() skips the wait: the command is known to start, and a
later death shows as a problem on the next Reply."""
STDIN_CLOSE_WAIT = 0.5
EXIT_WAIT = 0.5
SKIP_CHUNK = 65536
_POSIX = os.name == "posix"
_LIVE: weakref.WeakSet[StdioPeer] = weakref.WeakSet()


@atexit.register
def _close_leftovers() -> None:
    for peer in list(_LIVE):
        peer.close()


def command_from_target(target: str) -> list[str]:
    """``mcp+stdio:COMMAND ARGS...`` -> argv, with the command checked."""
    text = target[len("mcp+stdio:"):] if target.startswith("mcp+stdio:") else target
    example = "for example mcp+stdio:python -m my_server --flag"
    try:
        argv = shlex.split(text, posix=_POSIX)
    except ValueError as exc:
        raise TargetError(f"cannot split the command {text!r} ({exc}); check its quoting") from None
    if not argv:
        raise TargetError(f"the target {target!r} names no command; write mcp+stdio:COMMAND ARGS..., {example}")
    command = argv[0]
    if shutil.which(command) is None:
        if os.path.dirname(command):
            if not os.path.isfile(command):
                raise TargetError(f"there is no file {command!r}; check the path to the server")
            raise TargetError(
                f"{command!r} is not executable; make it executable or run it through its interpreter"
            )
        raise TargetError(
            f"command {command!r} not found on PATH; install it, give its full path, or fix PATH"
        )
    return argv


@dataclass
class _WriteJob:
    data: bytes | None  # None: close stdin
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class _StdinWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._jobs: queue.Queue[_WriteJob | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True, name="accord-stdio-stdin")
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                if job.data is None:
                    self._stream.close()
                else:
                    self._stream.write(job.data)
                    self._stream.flush()
            except (OSError, ValueError) as exc:
                job.error = exc
            finally:
                job.done.set()

    def submit(self, data: bytes | None, timeout: float) -> str | None:
        job = _WriteJob(data)
        self._jobs.put(job)
        if not job.done.wait(max(timeout, 0.0)):
            return f"writing to stdin did not finish within {timeout:g}s (the process is not reading it)"
        if isinstance(job.error, BrokenPipeError):
            return "could not write to stdin: the process closed it (has it exited?)"
        if isinstance(job.error, ValueError):
            return "could not write to stdin: it is closed"
        if job.error is not None:
            return f"could not write to stdin: {job.error}"
        return None

    def stop(self, timeout: float) -> None:
        self._jobs.put(None)
        self._thread.join(timeout)

    @property
    def busy(self) -> bool:
        return self._thread.is_alive()


class _Spare:
    """One process started ahead of need, so that fresh() does not wait out the
    agent's start-up (seconds, for a server that imports a large SDK)."""

    def __init__(self) -> None:
        self._peer: StdioPeer | None = None
        self._lock = threading.Lock()
        self.closed = False

    def take(self, target: str, limits: Limits, argv: list[str]) -> StdioPeer:
        with self._lock:
            peer, self._peer = self._peer, None
        if peer is None or peer.wait_exit(0) is not None:
            if peer is not None:
                peer.close()
            peer = StdioPeer(target, limits, argv, start_grace=0, spare=self)
        self._refill(target, limits, argv)
        return peer

    def _refill(self, target: str, limits: Limits, argv: list[str]) -> None:
        with self._lock:
            if self._peer is None and not self.closed:
                try:
                    self._peer = StdioPeer(target, limits, argv, start_grace=0, spare=self)
                except (TargetError, PeerUnavailable):
                    self._peer = None

    def close(self) -> None:
        with self._lock:
            self.closed = True
            peer, self._peer = self._peer, None
        if peer is not None:
            peer.close()


class StdioPeer(LinePeer):
    """An MCP server subprocess, spoken to over its stdin and stdout."""

    def __init__(
        self,
        target: str,
        limits: Limits,
        argv: list[str],
        *,
        start_grace: float = START_GRACE,
        spare: _Spare | None = None,
    ) -> None:
        super().__init__(target, limits)
        self.argv = list(argv)
        self._spare = spare
        self._owns_spare = spare is None
        if spare is None:
            self._spare = _Spare()
        try:
            self._proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=_POSIX,  # so close() can stop the whole process group
            )
        except (FileNotFoundError, PermissionError) as exc:
            raise TargetError(f"cannot run {self.argv[0]!r}: {exc}; check the command") from None
        except OSError as exc:
            raise PeerUnavailable(f"cannot start {self.argv[0]!r}: {exc}") from None
        _LIVE.add(self)
        self._stderr = bytearray()
        self._stderr_cut = False
        self._stderr_logged = 0
        self._stderr_lock = threading.Lock()
        self._exit_logged = False
        self._exit_lock = threading.Lock()
        self._writer = _StdinWriter(self._proc.stdin)  # type: ignore[arg-type]
        self._readers = [
            threading.Thread(target=self._pump_stdout, daemon=True, name="accord-stdio-stdout"),
            threading.Thread(target=self._pump_stderr, daemon=True, name="accord-stdio-stderr"),
        ]
        for thread in self._readers:
            thread.start()
        if start_grace > 0:
            self._fail_if_exited_at_start(min(start_grace, limits.start_timeout))

    def _fail_if_exited_at_start(self, grace: float) -> None:
        try:
            code = self._proc.wait(grace)
        except subprocess.TimeoutExpired:
            return
        self._readers[1].join(1.0)
        tail = self.stderr_text()[-2000:].strip()
        self.close()
        raise PeerUnavailable(
            f"{shlex.join(self.argv)} exited at start with code {code}"
            + (f"; stderr ends with:\n{tail}" if tail else "; it wrote nothing to stderr")
        )

    # --- pumps ------------------------------------------------------------
    def _pump_stdout(self) -> None:
        stream = self._proc.stdout
        assert stream is not None
        cap = self.limits.max_bytes
        try:
            while True:
                raw = stream.readline(cap + 1)
                if not raw:
                    break
                cut = False
                if raw.endswith(b"\n"):
                    raw = raw[:-1]
                elif len(raw) > cap:
                    raw, cut = raw[:cap], True
                    self._skip_rest_of_line(stream)
                if not self.receive_line(raw, cut):
                    return
        except (OSError, ValueError):
            pass
        code = self._reap(2.0)
        reason = f"process exited with code {code}" if code is not None else "process closed its stdout"
        self.inbox.end(End(reason, code))

    def _skip_rest_of_line(self, stream: IO[bytes]) -> None:
        while not self._closed:
            piece = stream.readline(SKIP_CHUNK)
            if not piece or piece.endswith(b"\n"):
                return

    def _pump_stderr(self) -> None:
        stream = self._proc.stderr
        assert stream is not None
        cap = self.limits.max_bytes
        try:
            while chunk := stream.read1(SKIP_CHUNK):  # type: ignore[attr-defined]
                with self._stderr_lock:
                    self._stderr.extend(chunk)
                    if len(self._stderr) > cap:
                        del self._stderr[: len(self._stderr) - cap]
                        self._stderr_cut = True
                    log_it = self._stderr_logged < cap
                    self._stderr_logged += len(chunk)
                if log_it:
                    self.log.add("received", "stderr", chunk.decode("utf-8", errors="replace"))
        except (OSError, ValueError):
            pass

    def _reap(self, timeout: float) -> int | None:
        try:
            code = self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        with self._exit_lock:
            if not self._exit_logged:
                self._exit_logged = True
                self.log.add("received", "exit", {"code": code})
        return code

    # --- channel ----------------------------------------------------------
    def _write(self, data: bytes, timeout: float) -> str | None:
        return self._writer.submit(data, timeout)

    def _close_input(self) -> None:
        problem = self._writer.submit(None, STDIN_CLOSE_WAIT)
        if problem:
            self.log.add("note", "problem", problem)

    # --- StdioWire / Peer -------------------------------------------------
    def stderr_text(self) -> str:
        with self._stderr_lock:
            text = self._stderr.decode("utf-8", errors="replace")
            return ("...[earlier stderr dropped]\n" + text) if self._stderr_cut else text

    def wait_exit(self, timeout: float) -> int | None:
        return self._reap(timeout)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def fresh(self) -> StdioPeer:
        assert self._spare is not None
        if self._spare.closed:
            return StdioPeer(self.target, self.limits, self.argv, start_grace=0)
        return self._spare.take(self.target, self.limits, self.argv)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owns_spare and self._spare is not None:
            self._spare.close()
        try:
            self._writer.submit(None, STDIN_CLOSE_WAIT)
            if self._reap(EXIT_WAIT) is None:
                self._signal(signal.SIGTERM if _POSIX else None)
                if self._reap(EXIT_WAIT) is None:
                    self._signal(signal.SIGKILL if _POSIX else None, kill=True)
                    self._reap(EXIT_WAIT)
        finally:
            self.inbox.close()
            self._writer.stop(0.2)
            for thread in self._readers:
                thread.join(0.2)
            self._close_pipes()
            _LIVE.discard(self)

    def _close_pipes(self) -> None:
        # A pipe whose reader is still blocked (a grandchild holds it open) is
        # left alone: closing it would wait for that read.
        pipes = [(self._proc.stdout, self._readers[0]), (self._proc.stderr, self._readers[1])]
        for pipe, reader in pipes:
            if pipe is not None and not reader.is_alive():
                try:
                    pipe.close()
                except (OSError, ValueError):
                    pass
        if self._proc.stdin is not None and not self._writer.busy:
            try:
                self._proc.stdin.close()
            except (OSError, ValueError):
                pass

    def _signal(self, sig: Any, *, kill: bool = False) -> None:
        try:
            if _POSIX and sig is not None:
                os.killpg(self._proc.pid, sig)
            elif kill:
                self._proc.kill()
            else:
                self._proc.terminate()
        except (ProcessLookupError, PermissionError, OSError):
            pass

    def describe(self) -> str:
        return f"stdio peer {shlex.join(self.argv)}"


def open_peer(target: str, limits: Limits) -> StdioPeer:
    return StdioPeer(target, limits, command_from_target(target))
