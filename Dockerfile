# The app for a shared server: slim Python, a non-root user, the pinned requirements.
# Build:  docker build -t linreg .
# Run:    docker run -p 8501:8501 -e PORT=8501 --memory=2g linreg
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8501

# curl only for the health check below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 app
WORKDIR /home/app/linreg

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=app:app . .
USER app

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl --fail --silent "http://localhost:${PORT}/_stcore/health" || exit 1

# Shell form, so that $PORT (set by the platform, e.g. Cloud Run or Render) is expanded.
CMD streamlit run app.py --server.port "${PORT}" --server.address 0.0.0.0 --server.headless true
