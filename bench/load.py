"""Load generators for the API benchmark, always in processes of their own: ``wrk`` (C, one
thread, epoll) when it is installed, else this module's Python driver (threads with keep-alive
httpx clients). Both keep a fixed number of connections busy for a fixed time (closed loop) and
report requests, errors and latency percentiles.

Requests carry ``X-Forwarded-For`` from a pool of client addresses, so the API's per-client
throttle sees many clients each within its rate, as in production, and still runs on every
request.

    python -m bench.load http://127.0.0.1:8000 /api/v1/articles/ --duration 5 --connections 8
"""

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

CLIENTS = 20000
_MARK = "BENCH_JSON "


@dataclass(frozen=True)
class Measurement:
    requests: int  # completed with a 2xx status
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # connection errors, timeouts and non-2xx responses
    bytes: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def fresh_parameter(path: str) -> str:
    """What goes before a request's serial number to make its URL unique, so that no cache
    answers it (the anonymous micro-cache, the timeline's pages): unique per run too."""
    separator = "&" if "?" in path else "?"
    return f"{separator}bench-request={random.getrandbits(40):x}-"  # noqa: S311 - not a secret


def client_address(n: int) -> str:
    n %= CLIENTS
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


# --- wrk --------------------------------------------------------------------------------------

_WRK_SCRIPT = """
local path = %(path)s
local cookie = %(cookie)s
local fresh = %(fresh)s
local n = %(offset)d
local sent = 0
request = function()
  n = (n + 1) %% %(clients)d
  sent = sent + 1
  local address = string.format(
    "10.%%d.%%d.%%d", math.floor(n / 65536) %% 256, math.floor(n / 256) %% 256, n %% 256)
  local headers = {["X-Forwarded-For"] = address}
  if cookie ~= "" then headers["Cookie"] = cookie end
  if fresh ~= "" then
    return wrk.format("GET", path .. fresh .. sent, headers)
  end
  return wrk.format("GET", path, headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"responses": %%d, "micros": %%d, "p50": %%d, "p99": %%d, "status": %%d, ' ..
    '"socket": %%d, "bytes": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, summary.bytes))
end
"""


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(
    base_url: str,
    path: str,
    *,
    duration: float,
    connections: int,
    threads: int = 1,
    cookie: str = "",
    fresh: bool = False,
) -> Measurement:
    """``cookie``: a Cookie header sent with every request (an editor's session), or none.
    ``fresh``: a query parameter unique to each request (see :func:`fresh_parameter`)."""
    wrk = wrk_path()
    if wrk is None:
        raise RuntimeError("wrk is not installed")
    script = _WRK_SCRIPT % {
        "path": _lua_string(path),
        "cookie": _lua_string(cookie),
        "fresh": _lua_string(fresh_parameter(path) if fresh else ""),
        "offset": random.randrange(CLIENTS),  # noqa: S311 - not a secret
        "clients": CLIENTS,
        "mark": _MARK,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-wrk-") as lua:
        lua.write(script)
        lua.flush()
        done = subprocess.run(  # noqa: S603 - wrk from PATH, our own arguments
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
             "--timeout", "10s", "-s", lua.name, base_url],
            capture_output=True, text=True, timeout=duration + 60, check=False,
        )  # fmt: skip
    line = next((x for x in done.stdout.splitlines() if x.startswith(_MARK)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:300]}")
    raw = json.loads(line.removeprefix(_MARK))
    # wrk counts every response in "requests"; those with a status >= 400 also as "status"
    # errors. Connection errors and timeouts are not responses.
    return Measurement(
        requests=raw["responses"] - raw["status"],
        seconds=raw["micros"] / 1e6,
        p50_ms=raw["p50"] / 1000,
        p99_ms=raw["p99"] / 1000,
        errors=raw["status"] + raw["socket"],
        bytes=raw["bytes"],
    )


# --- the Python driver ------------------------------------------------------------------------


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def drive(
    base_url: str,
    path: str,
    *,
    duration: float,
    connections: int,
    max_requests: int = 0,
    cookie: str = "",
    fresh: bool = False,
) -> Measurement:
    """Keep ``connections`` keep-alive connections busy for ``duration`` seconds (or until
    ``max_requests`` responses, if set). Runs in the calling process: call it through
    :func:`run_python` to keep it off the measured one."""
    import httpx

    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"errors": 0, "bytes": 0, "issued": 0}
    serial = [random.randrange(CLIENTS)]  # noqa: S311 - not a secret
    unique = fresh_parameter(path) if fresh else ""
    deadline = time.perf_counter() + duration

    def take() -> int | None:
        with lock:
            if max_requests and counts["issued"] >= max_requests:
                return None
            counts["issued"] += 1
            serial[0] += 1
            return serial[0]

    def connection() -> None:
        with httpx.Client(base_url=base_url, timeout=10.0) as client:
            while time.perf_counter() < deadline:
                n = take()
                if n is None:
                    return
                started = time.perf_counter()
                try:
                    headers = {"X-Forwarded-For": client_address(n)}
                    if cookie:
                        headers["Cookie"] = cookie
                    target = f"{path}{unique}{n}" if unique else path
                    response = client.get(target, headers=headers)
                    ok, size = response.is_success, len(response.content)
                except httpx.HTTPError:
                    ok, size = False, 0
                elapsed = time.perf_counter() - started
                with lock:
                    counts["bytes"] += size
                    if ok:
                        latencies.append(elapsed)
                    else:
                        counts["errors"] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=connection) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    return Measurement(
        requests=len(latencies),
        seconds=seconds,
        p50_ms=1000 * (statistics.median(latencies) if latencies else 0.0),
        p99_ms=1000 * _percentile(latencies, 0.99),
        errors=counts["errors"],
        bytes=counts["bytes"],
    )


def run_python(
    base_url: str,
    path: str,
    *,
    duration: float,
    connections: int,
    max_requests: int = 0,
    cookie: str = "",
    fresh: bool = False,
) -> Measurement:
    """:func:`drive` in a separate Python process."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.load", base_url, path, "--duration", str(duration),
         "--connections", str(connections), "--max-requests", str(max_requests),
         "--cookie", cookie, *(["--fresh"] if fresh else [])],
        capture_output=True, text=True, timeout=duration + 60, check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    line = next((x for x in done.stdout.splitlines() if x.startswith(_MARK)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"load driver failed ({done.returncode}): {done.stderr[-500:]}")
    return Measurement(**json.loads(line.removeprefix(_MARK)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("base_url")
    parser.add_argument("path")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=0, help="stop after this many")
    parser.add_argument("--cookie", default="", help="a Cookie header sent with every request")
    parser.add_argument("--fresh", action="store_true", help="a unique query parameter each")
    args = parser.parse_args(argv)
    measured = drive(
        args.base_url,
        args.path,
        duration=args.duration,
        connections=args.connections,
        max_requests=args.max_requests,
        cookie=args.cookie,
        fresh=args.fresh,
    )
    print(_MARK + json.dumps(asdict(measured)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
