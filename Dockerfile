# One image for web, workers and beat (cookiecutter-django style).
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
# An npm workspace (openapi-typescript, for `make api-types`): npm ci needs its package.json too.
COPY frontend/tools/api-types/package.json ./tools/api-types/
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=fusqa_web.settings.production
WORKDIR /app
COPY requirements.txt ./
# torch first, pinned (the GPU worker image swaps in a CUDA build of the same version at build time).
ARG TORCH_SPEC=torch==2.13.0
RUN pip install --no-cache-dir "$TORCH_SPEC" && pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=frontend /src/frontend/dist /app/frontend/dist
# collectstatic needs settings, not secrets: throwaway values of the length production demands, for this step only.
RUN DJANGO_SECRET_KEY=build-step-only-not-a-secret-0123456789 FUSQA_PATIENT_KEY_SECRET=build-step-only-not-a-secret-0123456789 \
    python manage.py collectstatic --noinput
RUN useradd --create-home fusqa && mkdir -p /app/var && chown -R fusqa /app/var
USER fusqa
EXPOSE 8000 11112
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "fusqa_web.wsgi:application"]
