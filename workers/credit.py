"""Credit sweeps (SPEC §15): instalment reminders, arrears notices, lay-by reminders and lay-by
expiry. Each is a sweep over the database that is safe to run twice, and beside itself: every
reminder and every expiry is claimed with a guarded UPDATE in the transaction of its messages
(commerce/credit.py). Reminders are transactional notices to the borrower alone, sent through the
outbox with a `kind` naming them (credit_due_soon, credit_due_today, credit_overdue,
credit_arrears, layby_reminder, layby_cancelled…)."""

from __future__ import annotations

from commerce import credit
from workers import runtime as rt
from workers.queues import RQJobs


def remind_instalments() -> int:
    """Instalments due in 2 days, today, or 3 days ago and not paid: the buyer reminded."""
    r = rt.runtime()
    ids = credit.instalment_reminders(r.db)
    RQJobs(r.redis).notify(ids)
    return len(ids)


def notify_arrears() -> int:
    """Instalments a week late: the buyer told, once, that no new credit is given until paid."""
    r = rt.runtime()
    ids = credit.arrears_notices(r.db)
    RQJobs(r.redis).notify(ids)
    return len(ids)


def remind_laybys() -> int:
    """Each week of an open lay-by: the balance and the deadline."""
    r = rt.runtime()
    ids = credit.layby_reminders(r.db)
    RQJobs(r.redis).notify(ids)
    return len(ids)


def expire_laybys() -> int:
    """Lay-bys past their deadline: cancelled, stock back, what was paid owed back."""
    r = rt.runtime()
    done = credit.expire_laybys(r.db)
    RQJobs(r.redis).notify(done.message_ids)
    return len(done.order_ids)
