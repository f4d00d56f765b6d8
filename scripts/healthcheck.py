"""The web container's healthcheck (docker-compose.yml): asks this container's gunicorn for /health/.

Exits 0 when the page answers 200 (the database, the cache and the broker answer: core/health.py), 1
otherwise, and prints what it heard (docker inspect shows it). Standard library only and no Django: it
runs every 30 s, and the slim image has no curl. It asks as the TLS proxy does, with the public host name
(the first entry of ALLOWED_HOSTS) and X-Forwarded-Proto: https, so that neither the host check nor the
redirect to HTTPS turns it away.

Usage: python scripts/healthcheck.py [PORT]        (default 8000)
"""

from __future__ import annotations

import http.client
import os
import sys


def main(argv: list[str]) -> int:
    port = int(argv[1]) if len(argv) > 1 else 8000
    hosts = [host.strip().lstrip(".") for host in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = next((host for host in hosts if host and host != "*"), "localhost")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/health/", headers={"Host": host, "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        body = response.read(1000).decode(errors="replace")
    except OSError as exc:
        print(f"No answer from port {port}: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    print(response.status, body)
    return 0 if response.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
