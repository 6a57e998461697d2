"""The web server's entry point: `granian --interface wsgi --factory gateway.wsgi:app`.

The same app as `gateway.create_app()`, built once per server process, after which everything it
holds (modules, metadata, the engine, the pools) is moved out of the garbage collector's sight with
`gc.freeze()`: none of it is ever garbage, and a full collection that walks it all takes tens of
milliseconds, stalling every hop in flight in that process (the tail of the hop latency in
`make bench`). Collections then walk only what hops allocate.
"""

from __future__ import annotations

import gc

from flask import Flask


def app() -> Flask:
    from gateway import create_app, soko

    built = create_app()
    soko(built).warm()  # engine, Redis, the USSD engine: built now, not by the first hops
    gc.collect()  # what start-up left behind goes now, not frozen forever
    gc.freeze()
    return built
