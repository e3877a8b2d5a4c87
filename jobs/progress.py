"""How a task reports its progress to its Job, and keeps its writes all or nothing.

    progress.update(12_000, 50_000, "ligne {done} sur {total}")   # « ligne 12 000 sur 50 000 »
    with progress.atomic():                                          # the work's one transaction
        ...

Updates are written at most every `every` seconds (the first and the last always). Outside any
transaction they go straight to the Job row. Inside a transaction the task opened (progress.atomic(),
or the importer's own), the Job row is not touched through the work's connection: on PostgreSQL the step
goes through a second, autocommit connection, so that the page polling the job sees it while the work is
still uncommitted; on SQLite, which allows one writer at a time, the step waits in memory and is written
once the transaction ends. A Progress made inside a transaction already open (the immediate backend of
the tests, inside a request) writes through that transaction.
"""

import time
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from clauses_site import formatting
from jobs.models import Job


class JobFailed(Exception):
    """A failure the user can act on; its message (French) is shown on the job's page as is."""


class Progress:
    def __init__(self, job, every=0.5):
        self.job = job
        self.every = every
        self._last = None  # never written: the first update is (monotonic() may be small after a boot)
        self._pending = None
        self._outer = connection.in_atomic_block  # a transaction open before the task began
        self._side = None
        self._side_written = False

    def update(self, done, total=None, step=None, force=False):
        """Record done/total and the step text; {done} and {total} in the step read as French
        numbers (12 000)."""
        total = self.job.total if total is None else total
        fields = {"done": done, "total": total}
        if step is not None:
            fields["step"] = step.format(done=formatting.integer(done), total=formatting.integer(total))[:200]
        for name, value in fields.items():
            setattr(self.job, name, value)
        now = time.monotonic()
        if not force and self._last is not None and now - self._last < self.every and done < total:
            self._pending = fields
            return
        self._last = now
        self._write(fields)

    def step(self, text):
        """A step with no count (« Archivage des bilans… »)."""
        self.update(self.job.done, self.job.total, text, force=True)

    def callback(self, template):
        """A callable(done, total) for code that reports every N rows (the importer)."""
        return lambda done, total: self.update(done, total, template)

    @contextmanager
    def atomic(self):
        """The work's one transaction; the last step is written once it is committed."""
        self._side_written = False
        with transaction.atomic():
            yield
        self.flush()

    def flush(self):
        """The last state, through the work's own connection (the side connection does not see a Job
        created in a transaction still open, as under the immediate backend of the tests)."""
        if self._pending or self._side_written:
            self._side_written = False
            self._write({"done": self.job.done, "total": self.job.total, "step": self.job.step})

    def close(self):
        if self._side is not None:
            self._side.close()
            self._side = None

    def _write(self, fields):
        self._pending = None
        if self._outer or not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(**fields)
            return
        if connection.vendor == "sqlite":
            self._pending = fields
            return
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
        self._side_written = True
        columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET {columns} WHERE id = %s",  # noqa: S608 (our own names)
                [*fields.values(), self.job.pk],
            )
