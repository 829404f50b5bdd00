"""Several app processes behind nginx, started and stopped with one command.

Run: python -m deploy.serve start [--processes 2] [--port 8080] [--host 127.0.0.1]   (make serve N=2)
     python -m deploy.serve stop                                                    (make serve-stop)

`start` starts N `python app.py` processes, each on its own loopback port (7861, 7862, ...) with one torch
thread, pinned to a core of its own where the machine has enough, then nginx on --port in front of them
(deploy/nginx.conf: each visitor's address picks their process), and returns once all of them answer.
What it started is written to runs/serve/deployment.json, where `stop` finds it; logs lie beside it.
Nothing restarts a process that dies (nginx sends its visitors to the others): run this under systemd,
supervisord or Kubernetes (deploy/kubernetes.yaml) for that. `python app.py` alone stays the default
(and what a Hugging Face Space runs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN_DIR = ROOT / "runs" / "serve"
TEMPLATE = Path(__file__).with_name("nginx.conf")
FIRST_APP_PORT = 7861
NGINX = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"  # make passes NGINX=
STARTUP_SECONDS = 180.0  # a cold start imports torch and Gradio and loads the checkpoints
STOP_SECONDS = 10.0


@dataclass
class Deployment:
    """What `start` started: the app processes' ids and ports, nginx's master process and its address."""

    url: str
    app_pids: list[int]
    app_ports: list[int]
    nginx_pid: int
    run_dir: str

    def save(self) -> None:
        """Write it to deployment.json in its run folder, for `stop`."""
        Path(self.run_dir, "deployment.json").write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, run_dir: Path = RUN_DIR) -> Deployment:
        """The deployment `start` wrote into run_dir."""
        return cls(**json.loads((run_dir / "deployment.json").read_text()))


def app_environment(port: int, trusted_proxies: int) -> dict[str, str]:
    """The environment of one app process: its port on loopback, one thread, nginx as its one trusted proxy."""
    return dict(
        os.environ, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False",
        OMP_NUM_THREADS="1", MNIST_TRUSTED_PROXIES=str(trusted_proxies),
    )


def start_app(port: int, core: int | None, run_dir: Path, trusted_proxies: int) -> subprocess.Popen:
    """One `python app.py` on 127.0.0.1:port (under `taskset -c core` if given), its output in run_dir."""
    command = [sys.executable, "app.py"]
    if core is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(core), *command]
    log = open(run_dir / f"app-{port}.log", "wb")  # noqa: SIM115 - the process writes to it until stopped
    # A session of its own: a Ctrl-C in the terminal that started it reaches `stop`, not each process.
    return subprocess.Popen(command, cwd=ROOT, env=app_environment(port, trusted_proxies), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_serving(url: str, process: subprocess.Popen | None = None, timeout: float = STARTUP_SECONDS) -> None:
    """Return once `url` answers; fail if the process exits first or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{' '.join(map(str, process.args))} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def nginx_config(app_ports: list[int], listen: str, run_dir: Path) -> str:
    """deploy/nginx.conf with its placeholders filled in: the upstream's servers, the address, the run folder."""
    # max_fails=1: one refused connection takes a dead process out of the rotation for fail_timeout.
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in app_ports)
    return (TEMPLATE.read_text().replace("@SERVERS@", servers).replace("@LISTEN@", listen)
            .replace("@RUN_DIR@", str(run_dir)))


def start_nginx(app_ports: list[int], listen: str, run_dir: Path) -> int:
    """Write the config into run_dir, start nginx on it and return its master's process id once it serves."""
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / "nginx-tmp" / temp).mkdir(parents=True, exist_ok=True)
    config = run_dir / "nginx.conf"
    config.write_text(nginx_config(app_ports, listen, run_dir))
    pid_file = run_dir / "nginx.pid"
    pid_file.unlink(missing_ok=True)
    # Not daemonised: waiting for a daemonising nginx to return hung in CI (its master stayed our child).
    with open(run_dir / "nginx-start.log", "wb") as log:
        master = subprocess.Popen([NGINX, "-p", str(run_dir), "-c", str(config), "-g", "daemon off;"],
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 10
    while not pid_file.exists():
        if master.poll() is not None or time.monotonic() > deadline:
            master.kill()
            raise RuntimeError(f"nginx did not start: {(run_dir / 'nginx-start.log').read_text().strip()}")
        time.sleep(0.1)
    return master.pid


def cores_for(processes: int) -> list[int | None]:
    """A core per process when there are enough (0, 1, ...); else none: the kernel spreads them."""
    cores = list(range(os.cpu_count() or 1))  # the machine's, not this process's (a harness may be pinned)
    return list(cores[:processes]) if processes <= len(cores) else [None] * processes


def start(processes: int = 2, port: int = 8080, host: str = "127.0.0.1", run_dir: Path = RUN_DIR,
          app_ports: list[int] | None = None, trusted_proxies: int = 1, pin: bool = True) -> Deployment:
    """Start `processes` app processes (on app_ports, else 7861, 7862, ...) and nginx in front of them on
    host:port; return once all answer."""
    run_dir.mkdir(parents=True, exist_ok=True)
    ports = app_ports or [FIRST_APP_PORT + number for number in range(processes)]
    cores = cores_for(processes) if pin else [None] * processes
    apps = [start_app(each, core, run_dir, trusted_proxies) for each, core in zip(ports, cores)]
    try:
        for each, app in zip(ports, apps):
            wait_until_serving(f"http://127.0.0.1:{each}/", app)
        nginx_pid = start_nginx(ports, f"{host}:{port}", run_dir)
        deployment = Deployment(f"http://{host}:{port}", [app.pid for app in apps], ports, nginx_pid, str(run_dir))
        wait_until_serving(deployment.url + "/")
    except BaseException:
        for app in apps:
            app.kill()
        raise
    deployment.save()
    return deployment


def stop_process(pid: int, how: signal.Signals = signal.SIGTERM) -> None:
    """Ask a process to end, then kill it if it is still there after STOP_SECONDS."""
    try:
        os.kill(pid, how)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_SECONDS
    while not gone(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(0.1)


def gone(pid: int) -> bool:
    """Whether a process has ended (reaped here if it was this process's child, or it would linger as a zombie)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return True
    except ChildProcessError:
        pass  # not a child of this process: started by an earlier `start`
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def stop(deployment: Deployment | None = None) -> None:
    """Stop nginx (gracefully: SIGQUIT lets open requests finish) and every app process of a deployment."""
    deployment = deployment or Deployment.load()
    stop_process(deployment.nginx_pid, signal.SIGQUIT)
    for pid in deployment.app_pids:
        stop_process(pid)
    Path(deployment.run_dir, "deployment.json").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--processes", type=int, default=2, help="app processes behind nginx")
    parser.add_argument("--port", type=int, default=8080, help="the port nginx listens on")
    parser.add_argument("--host", default="127.0.0.1", help="the address nginx listens on (0.0.0.0: every interface)")
    parser.add_argument("--trusted-proxies", type=int, default=1,
                        help="proxies that append to X-Forwarded-For, nginx included (2 behind another proxy)")
    args = parser.parse_args()
    if args.action == "stop":
        stop()
        print("stopped nginx and the app processes")
        return
    deployment = start(args.processes, args.port, args.host, trusted_proxies=args.trusted_proxies)
    print(f"serving {deployment.url} : nginx (pid {deployment.nginx_pid}) in front of {args.processes} app processes "
          f"on ports {', '.join(map(str, deployment.app_ports))} (pids {', '.join(map(str, deployment.app_pids))}); "
          f"logs in {deployment.run_dir}; stop with `make serve-stop`")


if __name__ == "__main__":
    main()
