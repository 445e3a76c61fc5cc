from django.db import models


class WorkerHeartbeat(models.Model):
    """A worker process that runs jobs, and when it last said it was alive.

    A row per process (a prefork pool child, or the solo worker itself), because the process that claimed a
    job is the one whose death strands it; a pool's parent can live on while a child was killed. The name is
    what the process writes into ProcessingJob.worker when it claims, so the sweeper joins the two."""

    name = models.CharField(max_length=200, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    # Written with the database's clock (Now()) and compared with it, so clock skew between machines is moot.
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name} (last beat {self.beat_at:%H:%M:%S})"
