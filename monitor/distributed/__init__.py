"""Running the jobs on several machines: one leading scheduler, workers over Redis (Dramatiq).

By default ``monitor run`` schedules and runs every job in one process. With
``[distributed] broker_url`` set, the same jobs (:mod:`monitor.distributed.jobs`) travel as
Dramatiq messages through Redis:

* ``monitor run`` only schedules. Several can run; one leads at a time (a Redis lease renewed
  every third of ``leader_seconds``, :mod:`monitor.distributed.leader`), the others stand by
  and take over when the leader stops renewing.
* ``monitor worker`` processes, on any machine, run the jobs against the shared database
  (PostgreSQL) with the same pipeline as ``monitor run`` (:mod:`monitor.distributed.worker`).

What keeps it correct (:mod:`monitor.distributed.coordination`):

* a job is queued at most once at a time (a marker set when it is sent, cleared when it starts),
  so a slow worker never finds a backlog of the same crawl;
* jobs of one *lane* never run at once anywhere: all reads of one source share a lane (the
  forum sees one polite client, not one per worker, and the source's crawl plan — which
  threads and boards are hot — moves with the lane through Redis), and the SLA clocks, the
  outbox and the digest each have their own, so nothing is sent twice.
"""
