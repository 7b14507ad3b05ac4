"""Running a script with standard error on a pseudo-terminal (as a user at a terminal sees it) or on a pipe."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(script: str, *args: str, terminal: bool, cwd: Path = ROOT) -> tuple[bytes, str]:
    """Standard output (to a file) and standard error (a pseudo-terminal of 120 columns, or a pipe) of one run."""
    env = {**os.environ, "BEDROCK_USAGE_COLUMNAR_CACHE": "off", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as stdout:
        if not terminal:
            done = subprocess.run([sys.executable, str(ROOT / script), *args], stdout=stdout, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, cwd=cwd, env=env, timeout=300)
            assert done.returncode == 0, done.stderr.decode()
            err = done.stderr
        else:
            master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            child = subprocess.Popen([sys.executable, str(ROOT / script), *args], stdout=stdout, stderr=slave,
                                     stdin=subprocess.DEVNULL, cwd=cwd, env=env)
            os.close(slave)
            chunks = []
            while True:
                if not select.select([master], [], [], 300)[0]:
                    child.kill()  # silent for five minutes: a hang, not slow progress
                    break
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            os.close(master)
            err = b"".join(chunks)
            assert child.wait(timeout=300) == 0, err.decode(errors="replace")
        stdout.seek(0)
        return stdout.read(), err.decode(errors="replace")
