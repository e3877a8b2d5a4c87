import socket
import subprocess
import sys

import factory

from jobs import tasks
from jobs.models import Job
from tests.factories import UserFactory


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    user = factory.SubFactory(UserFactory)
    kind = Job.Kind.BILANS_ZIP
    title = "Bilans groupés des donneurs d'ordre du 01/01/2025 au 30/06/2025"
    params = factory.LazyFunction(lambda: {"start": "2025-01-01", "end": "2025-06-30"})

    class Params:
        done_with_file = factory.Trait(
            status=Job.Status.DONE,
            result_file=factory.django.FileField(filename="bilans.zip", data=b"PK\x05\x06" + b"\0" * 18),
            result_name="bilans.zip",
        )


def run(job):
    """What the worker does with a queued job."""
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    return job


def files_under(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def dead_worker():
    """« host:pid » of a process of this machine that has exited (a worker killed with -9)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}"
