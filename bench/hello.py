"""A bare WSGI hello-world: the benches serve it through the same server (gunicorn, 2 workers) to
show the ceiling, what an answer costs before the application does anything."""


def app(environ, start_response):
    body = b"hello, world\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
