"""Embed livable in a web service: a framework-neutral handler and a stdlib HTTP server.

``handle_evaluate(body)`` takes the bytes of a JSON request ``{"communities": {...},
"facilities": {...}, "profile": "xian-2020"}`` and returns ``(status, payload)``: 200 and
the report, 400 and a one-line error for bad input, 413 when over the limits. Wrap it in
any framework (Flask, Django, FastAPI, a message queue consumer). The plugin manager is
built once, at start-up, and locked down: no entry points are loaded except an explicit
allow-list, so installing a package on the server cannot change the grading.

Run as a script, it serves the handler with :mod:`http.server` on a free loopback port,
sends itself one good and one bad request with :mod:`urllib`, prints the answers and stops.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import livable
from livable import Limits, LivableError, PluginManager, ResourceLimitError

# Start-up: one plugin manager for the process. Only the built-in plugin, plus the
# entry-point plugins named here (none in this example), are ever loaded.
ALLOWED_PLUGINS: frozenset[str] = frozenset()
PLUGINS = PluginManager(load_entry_points=bool(ALLOWED_PLUGINS), allow=ALLOWED_PLUGINS)
PROFILES = frozenset({"xian-2020"})
LIMITS = Limits(max_file_bytes=20 * 1024**2, max_features=200_000)
MAX_BODY_BYTES = 50 * 1024**2


def handle_evaluate(body: bytes) -> tuple[int, dict[str, Any]]:
    """Evaluate one request; never raises for bad input, answers 4xx instead."""
    if len(body) > MAX_BODY_BYTES:
        return 413, {"error": f"request body over {MAX_BODY_BYTES:,} bytes"}
    try:
        request = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return 400, {"error": f"request is not JSON: {exc}"}
    if not isinstance(request, dict) or not {"communities", "facilities"} <= request.keys():
        return 400, {"error": "give 'communities' and 'facilities' FeatureCollections"}
    profile = request.get("profile", "xian-2020")
    if profile not in PROFILES:  # never let a request name a file on the server
        return 400, {"error": f"unknown profile {profile!r}; allowed: {sorted(PROFILES)}"}
    try:
        report = livable.evaluate(
            request["communities"],
            request["facilities"],
            profile=profile,
            plugins=PLUGINS,
            limits=LIMITS,
        )
    except ResourceLimitError as exc:
        return 413, {"error": str(exc)}
    except LivableError as exc:
        return 400, {"error": str(exc)}
    return 200, report.to_dict()


class Handler(BaseHTTPRequestHandler):
    """``POST /evaluate`` with the JSON request; answers JSON."""

    def do_POST(self) -> None:
        if self.path != "/evaluate":
            status, payload = 404, {"error": "POST /evaluate"}
        else:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                status, payload = 413, {"error": f"request body over {MAX_BODY_BYTES:,} bytes"}
            else:
                status, payload = handle_evaluate(self.rfile.read(length))
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the example's output quiet."""


def _post(url: str, payload: object) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def main() -> None:
    """Serve on a free loopback port, send two requests, print the answers, stop."""
    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/evaluate"
    try:
        point = {"type": "Point", "coordinates": [108.94, 34.26]}
        good = {
            "communities": {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {"id": "c1"}, "geometry": point}],
            },
            "facilities": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "k1", "type": "kindergarten"},
                        "geometry": {"type": "Point", "coordinates": [108.945, 34.26]},
                    }
                ],
            },
        }
        status, report = _post(url, good)
        c = report["communities"][0]
        print(f"POST /evaluate -> {status}: {c['id']} is {c['grade']},")
        print(f"  kindergarten at {c['access']['kindergarten']['nearest_m']} m")
        print(f"  plugins loaded: {[p['name'] for p in report['plugins']]}")
        status, error = _post(url, {**good, "profile": "/etc/passwd.toml"})
        print(f"POST /evaluate -> {status}: {error['error']}")
        status, error = _post(url, {"communities": {"type": "Feature"}, "facilities": {}})
        print(f"POST /evaluate -> {status}: {error['error']}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
