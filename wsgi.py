"""WSGI entry point: `flask --app wsgi ...` and production servers import `app` from here."""
import gc

from app import create_app

app = create_app()

# What the app built to serve requests (modules, translations, the OpenAPI document, reference
# caches) lives as long as the process. Frozen, it is left out of the collector's full passes,
# which otherwise walk it every few hundred requests: a 90 ms pause in a gunicorn worker
# (bench/bench_history.py: matrix API p95 123 -> 31 ms; full passes 90 -> 5 ms).
gc.freeze()
