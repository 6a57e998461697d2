"""`make run`: migrate, load the demo catalog, start the web server and a worker on one machine.

With `REDIS_URL` unset it starts the embedded Valkey and hands its URL to both processes.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from dataclasses import replace

from config import INSTANCE_DIR, SettingsError, load_settings


def main() -> int:
    # Stop cleanly on SIGTERM too, so the children and the embedded Valkey stop with us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"soko: {exc}", file=sys.stderr)
        return 2
    env = dict(os.environ)
    valkey = None
    if settings.redis_url is None:
        valkey = subprocess.Popen([sys.executable, "-m", "bootstrap.embedded_valkey"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, start_new_session=True)
        env["REDIS_URL"] = valkey.stdout.readline().strip()
        if not env["REDIS_URL"]:
            print("soko: the embedded Valkey did not start; set REDIS_URL to a Redis server", file=sys.stderr)
            return 1
    env.setdefault("DATABASE_URL", settings.database_url)
    made_up = None
    if not settings.admin_token:  # the simulator and /admin need a sign-in: one token for this run
        made_up = env["ADMIN_TOKEN"] = secrets.token_urlsafe(18)
    if "PROMETHEUS_MULTIPROC_DIR" not in env:
        # Two gunicorn workers: their metrics add up through files in a directory emptied at start.
        metrics_dir = INSTANCE_DIR / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

    import bootstrap
    from commerce import demo, schema

    schema.upgrade(settings.database_url)
    # Its catalog changes go to the Redis the children will share (they build their own runtimes).
    rt = bootstrap.build(replace(settings, redis_url=env.get("REDIS_URL")), role="cli")
    seeded = demo.load(rt.db)
    rt.close()

    port = env.get("PORT", "8000")
    bin_dir = os.path.dirname(sys.executable)
    # The same web server as the Procfile (granian, chosen by bench/ measurements), on loopback.
    web = subprocess.Popen([os.path.join(bin_dir, "granian"), "--interface", "wsgi", "--factory",
                            "--workers", "2", "--blocking-threads", "2", "--host", "127.0.0.1",
                            "--port", port, "--no-access-log", "--log-level", "warning",
                            "gateway.wsgi:app"], env=env)
    worker = subprocess.Popen([os.path.join(bin_dir, "flask"), "--app", "gateway", "worker"], env=env)
    base = f"http://127.0.0.1:{port}"
    print(f"""
Soko is running{' with the demo catalog' if seeded else ''}.
  Phone simulator:  {base}/simulator   (sign in with {f"this run's admin token {made_up}" if made_up else "ADMIN_TOKEN"})
  USSD hops:        POST {base}/ussd/africastalking   (form: sessionId, serviceCode, phoneNumber, text)
  Incoming SMS:     POST {base}/sms/africastalking
  Try it here:      .venv/bin/flask --app gateway simulate 0712345678
Press Ctrl-C to stop.
""", flush=True)
    try:
        while web.poll() is None and worker.poll() is None:
            try:
                web.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        pass
    finally:
        # One signal starts the shutdown; a second must not cut it short and orphan the children.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for proc in (web, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (web, worker):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if valkey is not None:  # last, once nothing uses it
            valkey.stdin.close()
            valkey.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
