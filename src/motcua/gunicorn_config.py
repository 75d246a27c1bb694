"""gunicorn settings for the page servers (`gunicorn -c python:motcua.gunicorn_config`).

Pages are sync Django views: a WSGI server with threads runs them in the thread that accepted
the request, with no hand-over to an event loop (docs/decisions/0023). The display boards'
event streams are served by uvicorn; the load balancer routes `/su-kien/` paths there.
Every value can be changed per host through the environment.
"""

import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", str(max(2, os.cpu_count() or 1))))
# Threads per worker; each busy thread holds at most one pooled database connection, so keep
# WEB_THREADS <= DATABASE_POOL_MAX_SIZE or threads queue for a connection (that is the bound).
threads = int(os.environ.get("WEB_THREADS", "4"))
# Idle keep-alive connections from the load balancer are parked outside the thread pool.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))
backlog = int(os.environ.get("WEB_BACKLOG", "2048"))
# The access log would write query strings (a search for a phone number or a citizen ID):
# keep access logs at the load balancer, without query strings. Errors go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")
# No preload: the application (and its connection pool) is built in each worker after the
# fork, so no database connection or Redis socket is shared between processes.
preload_app = False
proc_name = os.environ.get("WEB_PROC_NAME", "motcua-web")
