"""`python -m bootstrap.embedded_valkey`: hold the development Valkey for `make run`.

`make run` starts this in a session of its own, so the terminal's Ctrl-C reaches the web server and
the worker but not Redis: they stop first, then `make run` stops this. It prints the URL once the
server answers, and stops the server when its standard input closes or it is terminated.
"""

from __future__ import annotations

import signal
import sys

from bootstrap.redis_client import embedded_url
from config import INSTANCE_DIR


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(embedded_url(INSTANCE_DIR), flush=True)
    try:
        sys.stdin.read()  # until make run closes the pipe
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
