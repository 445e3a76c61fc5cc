#!/usr/bin/env bash
# Runs the product on a laptop: the web server and one real Celery worker process (plus beat, for the
# sweeper) on the embedded broker. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${FUSQA_DEMO_HOST:-127.0.0.1}
PORT=${FUSQA_DEMO_PORT:-8000}
DICOM_PORT=${FUSQA_DEMO_DICOM_PORT:-11112}
mkdir -p var
# The demo's settings (SQLite, embedded broker, debug) for every process it starts: without this the Celery
# worker and beat would default to the production settings (fusqa_web/celery.py) and refuse to start.
export DJANGO_SETTINGS_MODULE=fusqa_web.settings.local
# The demo's history arrives in minutes, not months: beat looks for drift every 2 minutes, not hourly.
export FUSQA_DRIFT_EVERY_SECONDS=${FUSQA_DRIFT_EVERY_SECONDS:-120}

pids=()
history_pid=
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping ${pids[*]:-nothing} ${history_pid}"
  for pid in "${pids[@]}" $history_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

.venv/bin/celery -A fusqa_web worker --loglevel=INFO --concurrency=1 --queues=gpu,default \
  --hostname="demo-worker@%h" >var/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A fusqa_web beat --loglevel=INFO --schedule=var/celerybeat-schedule >var/beat.log 2>&1 &
pids+=($!)
$PY manage.py runserver --noreload "$HOST:$PORT" &
pids+=($!)
# The DICOM receiver, and the demo hospitals' machines as its callers (storescu -aet NORTHGATE_US ...).
$PY manage.py set_calling_ae northgate NORTHGATE_US >/dev/null
$PY manage.py set_calling_ae southbank SOUTHBANK_US >/dev/null
$PY manage.py dicom_receiver --bind "$HOST" --port "$DICOM_PORT" >var/dicom-receiver.log 2>&1 &
pids+=($!)
# Months of history fill in behind the first slice (seed_demo), oldest first; the worker judges each frame as
# it arrives. Progress: var/seed-history.log and GET /api/demo/progress/. Not in pids: its end ends nothing.
$PY manage.py seed_demo --history >var/seed-history.log 2>&1 &
history_pid=$!

cat <<MSG

  FUSQA is running at http://$HOST:$PORT/
  Logins (password for all: ${FUSQA_DEMO_PASSWORD:-fusqa-demo}):
    qa_north   QA manager, Northgate General only
    qa_south   QA manager, Southbank Women's Hospital only
    expert     Expert, both hospitals
    admin      Admin, everything (also /admin/)
  API docs: http://$HOST:$PORT/api/docs/    Worker log: var/worker.log
  DICOM receiver: AE FUSQA at $HOST:$DICOM_PORT, callers NORTHGATE_US and SOUTHBANK_US (var/dicom-receiver.log)
    e.g. storescu -aet NORTHGATE_US -aec FUSQA $HOST $DICOM_PORT scan.dcm
  Months of history are being seeded behind this (a few minutes): var/seed-history.log
  Ctrl-C stops the server and the worker.

MSG
wait -n "${pids[@]}"
