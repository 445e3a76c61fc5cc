"""The repository's proxy directives (deploy/nginx/fusqa-proxy.conf) in a private nginx on loopback, for the
tests and benches: same include as the compose proxy, only the upstream address and the paths differ."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

PROXY_INCLUDE = Path(__file__).resolve().parent / "nginx" / "fusqa-proxy.conf"


def nginx_binary() -> str | None:
    # Debian installs it in /usr/sbin, which a non-root PATH may lack.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalNginx:
    """nginx -p <folder> in the foreground, listening on a free loopback port, proxying to `upstream`."""

    def __init__(self, folder: Path, upstream: str, *, upstream_keepalive: int = 0):
        self.folder = folder
        self.upstream = upstream
        # The bench's "pinned" variant: nginx keeps idle connections to gunicorn open and reuses them.
        self.upstream_keepalive = upstream_keepalive
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    def config(self) -> str:
        keepalive = f"keepalive {self.upstream_keepalive};" if self.upstream_keepalive else ""
        # Upstream keep-alive needs an empty Connection header (the include already speaks HTTP/1.1 upstream).
        pinned = 'proxy_set_header Connection "";' if self.upstream_keepalive else ""
        kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        temp = "\n".join(f"    {kind}_temp_path {self.folder / kind};" for kind in kinds)
        include = PROXY_INCLUDE.read_text()
        if pinned:
            include = include.replace('proxy_set_header Connection "close";', pinned)
        (self.folder / "fusqa-proxy.conf").write_text(include)
        # Started by root, nginx would run its worker as nobody, who cannot write the temp folders here.
        user = "user root root;" if os.geteuid() == 0 else ""
        return f"""
{user}
worker_processes 1;
pid {self.folder / "nginx.pid"};
error_log {self.error_log} info;
events {{ worker_connections 512; }}
http {{
    access_log {self.access_log};
{temp}
    upstream fusqa_app {{ server {self.upstream}; {keepalive} }}
    server {{
        listen 127.0.0.1:{self.port};
        include {self.folder / "fusqa-proxy.conf"};
    }}
}}
"""

    def start(self, timeout: float = 10) -> "LocalNginx":
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        conf = self.folder / "nginx.conf"
        conf.write_text(self.config())
        self.process = subprocess.Popen(
            [binary, "-p", str(self.folder), "-c", str(conf), "-e", str(self.error_log), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
