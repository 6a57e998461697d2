"""Jobs that failed for good: RQ's failed registry of each of Soko's queues, and requeueing one.

Jobs take ids, re-read the database and are safe to run twice, so a retry is always safe.
"""

from __future__ import annotations

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry

# Each function takes the runtime's `jobs` (soko().jobs, built by bootstrap): its `q` holds Soko's
# RQ queues by name, on the runtime's Redis connection.


def depths(jobs) -> dict[str, dict[str, int]]:
    """Jobs waiting, and jobs failed for good, per queue (a couple of Redis reads each)."""
    out = {}
    for name, q in jobs.q.items():
        out[name] = {"queued": q.count, "failed": FailedJobRegistry(queue=q).count}
    return out


def _error_line(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [x for x in text.strip().splitlines() if x.strip()]
    return lines[-1][:300] if lines else ""


def failed(jobs, per_queue: int = 50) -> list[dict]:
    out = []
    for name, q in jobs.q.items():
        registry = FailedJobRegistry(queue=q)
        ids = registry.get_job_ids(0, per_queue - 1, desc=True)
        for job in Job.fetch_many(ids, connection=q.connection):
            if job is None:
                continue
            out.append({
                "queue": name, "id": job.id, "call": (job.get_call_string() or "")[:200],
                "error": _error_line(job),
                "failed_at": job.ended_at.isoformat(timespec="seconds") + "Z" if job.ended_at else None,
            })
    out.sort(key=lambda j: j["failed_at"] or "", reverse=True)
    return out


def requeue(jobs, queue: str, job_id: str) -> bool:
    """Put a failed job back on its queue; False when it is no longer in the failed registry."""
    if queue not in jobs.q:
        return False
    registry = FailedJobRegistry(queue=jobs.q[queue])
    try:
        registry.requeue(job_id)
    except (NoSuchJobError, InvalidJobOperation):
        return False
    return True
