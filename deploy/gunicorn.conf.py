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
# nginx sends one request per connection, so this applies only to clients that come straight to gunicorn
# (a health check, a bench). Kept short: a keep-alive connection stays with the worker that accepted it, and
# after a worker restart clients that keep reusing theirs leave the new worker idle; one second without a
# request lets such a connection close and the client's next one be accepted by whichever worker is free.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "1"))
# A worker is replaced after this many requests (jittered so workers do not restart together): bounds any
# slow leak in a long-lived process. Not a load-spreading device: see bench/web_restart.py.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# nginx speaks for the client; trust its X-Forwarded-* only from the proxy's network (compose: any, since web
# publishes no port).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# %(p)s is the worker's pid: which worker served a request is what a restart changes.
access_log_format = '%(h)s %(t)s %(p)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
