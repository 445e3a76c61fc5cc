"""gunicorn for the web service (docker-compose.yml's `web`, the Dockerfile's CMD): behind the nginx proxy in
deploy/nginx/. Every figure can be changed through the environment; bench/web_restart.py measures the
restart behaviour these choices give."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# gthread: a worker serves a few requests at once while one waits on PostgreSQL or the disk.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Longer than the slowest upload (decode + de-identify a large multi-frame DICOM on a busy CPU).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# No keep-alive at gunicorn: every response closes its connection, so every request is a fresh accept() on the
# shared socket, taken by whichever worker is free. A kept-alive connection stays with the worker that accepted
# it: when a worker restarts, its clients reconnect to the survivor (the new worker is still importing Django)
# and, polling faster than the keep-alive timeout, stay there; bench/web_restart.py measured the new worker idle
# for the whole minute after the restart with gunicorn's default 2 s and with 1 s, and taking half the load
# within one 10-s window with 0 (docs/deployment.md). Browsers keep their connection alive to nginx instead,
# which costs nginx a few KB rather than a worker. This also holds if the proxy is given upstream keep-alive.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
# A worker is replaced after this many requests (jittered so workers do not restart together): bounds any
# slow leak in a long-lived process. It does not spread kept-alive clients: they all move to the other worker.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# nginx speaks for the client; trust its X-Forwarded-* only from the proxy's network (compose: any, since web
# publishes no port).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# %(p)s is the worker's pid: which worker served a request is what a restart changes.
access_log_format = '%(h)s %(t)s %(p)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
