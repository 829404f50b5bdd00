"""Several app processes behind nginx (deploy/), on loopback: sticky visitors, trusted addresses, one process dying.

nginx is Debian's (`make test` and .ci/run install it). First nginx alone, in front of two tiny echo servers
in this process: it appends the visitor's address to X-Forwarded-For as the app expects, and streams
server-sent events as they are written. Then `deploy.serve.start` as `make serve N=2` runs it: two
`python app.py` processes behind nginx. A browser page (Chromium) draws, opens the Gallery, trains and
labels a drawing, and every request of it goes to one process (nginx's access log says which). Visitors from
different loopback addresses (127.0.0.x, 127.0.1.x) land on both processes, each always on the same one.
Last, one process is killed: its browser visitor is told the connection is lost and is served again after
reloading, while a visitor of the other process draws on with no error.
"""

from __future__ import annotations

import http.server
import json
import re
import shutil
import signal
import socketserver
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import pytest
from test_e2e_browser import DIGIT_STROKES, SKETCHPAD, _draw, _wait_until_idle, browser  # noqa: F401  (browser: a fixture)

from demo.i18n import TABLES
from demo.training.session import visitor_address
from deploy.serve import NGINX, Deployment, start, start_nginx, stop, stop_process
from harness import free_port

EN = TABLES["en"]
ANSWER_TIMEOUT_MS = 60_000
RECOVERY_SECONDS = 5.0  # the goal: a visitor of a dead process is served again within 5 s of reloading


def nginx_missing() -> str | None:
    """Why nginx cannot run here, or None."""
    return None if shutil.which(NGINX) or Path(NGINX).is_file() else f"{NGINX} is missing: install Debian's nginx (make test does)"


# --- nginx alone, in front of echo servers ---------------------------------------------------------------


class Echo(http.server.BaseHTTPRequestHandler):
    """Answers /headers with the request's headers, /stream with two server-sent events a second apart."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for number in (1, 2):
                self.wfile.write(f"data: {number}\n\n".encode())
                self.wfile.flush()
                time.sleep(1.0)
            return
        body = "\n".join(f"{name.lower()}: {value}" for name, value in self.headers.items()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def echo_behind_nginx(tmp_path_factory):
    """nginx with deploy/nginx.conf in front of two echo servers; its URL."""
    if reason := nginx_missing():
        pytest.skip(reason)
    servers = [socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo) for _ in range(2)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    port = free_port()
    pid = start_nginx([server.server_address[1] for server in servers], f"127.0.0.1:{port}", tmp_path_factory.mktemp("nginx"))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(pid)
        for server in servers:
            server.shutdown()


def client_from(address: str, **options) -> httpx.Client:
    """An HTTP client whose requests leave from a loopback address of its own, as a visitor's from theirs."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30, **options)


def headers_seen(url: str, address: str, **headers: str) -> dict[str, str]:
    """The headers the app would see for a request from `address` through nginx."""
    with client_from(address) as client:
        lines = client.get(url + "/headers", headers=headers).text.splitlines()
    return dict(line.split(": ", 1) for line in lines)


class Request:
    """What demo.training.session.visitor_address reads of a gr.Request: the peer and the headers."""

    def __init__(self, peer: str, headers: dict[str, str]):
        self.client = type("Peer", (), {"host": peer})()
        self.headers = headers


def test_a_flood_of_queue_joins_from_one_address_is_slowed_by_nginx_and_no_one_else_is(echo_behind_nginx):
    url = echo_behind_nginx
    with client_from("127.0.0.9") as script:
        statuses = Counter(script.post(url + "/gradio_api/queue/join", json={}).status_code for _ in range(400))
        refusal = script.post(url + "/gradio_api/call/predict", json={})
        page = script.get(url + "/headers").status_code  # its other requests are not counted
    with client_from("127.0.0.10") as visitor:
        theirs = visitor.post(url + "/gradio_api/queue/join", json={}).status_code
    assert statuses[429] and sum(statuses.values()) - statuses[429] >= 240, statuses  # the burst went through
    assert refusal.status_code == 429 and "Too many requests" in refusal.json()["detail"]
    assert page == 200 and theirs != 429


def test_nginx_appends_the_visitors_address_and_the_app_reads_it_not_a_forged_one(echo_behind_nginx):
    seen = headers_seen(echo_behind_nginx, "127.0.0.9", **{"X-Forwarded-For": "6.6.6.6"})
    assert seen["x-forwarded-for"] == "6.6.6.6, 127.0.0.9", seen  # the visitor's claim, then who nginx saw
    assert seen["host"] == echo_behind_nginx.removeprefix("http://") and seen["x-forwarded-proto"] == "http"
    # The app behind one proxy (MNIST_TRUSTED_PROXIES=1, as deploy.serve sets it) takes nginx's entry.
    assert visitor_address(Request("127.0.0.1", seen)) == "127.0.0.9"
    assert headers_seen(echo_behind_nginx, "127.0.0.9")["x-forwarded-for"] == "127.0.0.9"


def test_nginx_passes_each_server_sent_event_on_as_it_is_written(echo_behind_nginx):
    """proxy_buffering off: the first event arrives while the second is a second away, not with it."""
    with client_from("127.0.0.1") as client, client.stream("GET", echo_behind_nginx + "/stream") as reply:
        started = time.monotonic()
        lines = reply.iter_lines()
        assert next(lines) == "data: 1"
        first = time.monotonic() - started
        assert next(line for line in lines if line) == "data: 2"
        assert time.monotonic() - started - first > 0.5, "the first event waited for the second"


# --- two app processes behind nginx (make serve N=2) ------------------------------------------------------


@pytest.fixture(scope="module")
def deployment(mnist_dir: Path, tmp_path_factory):
    """`make serve N=2` on free ports: two app processes behind nginx; stopped after the module's tests."""
    if reason := nginx_missing():
        pytest.skip(reason)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MNIST_DATA_DIR", str(mnist_dir))
        served = start(2, free_port(), run_dir=tmp_path_factory.mktemp("serve"), app_ports=[free_port(), free_port()])
    try:
        yield served
    finally:
        stop(served)


def upstreams(deployment: Deployment) -> dict[str, set[str]]:
    """{visitor address: the app processes (host:port) nginx sent their requests to}, from its access log."""
    served = defaultdict(set)
    for line in access_log(deployment):
        address, upstreams_tried = line.split(" ", 1)[0], re.findall(r"\d+\.\d+\.\d+\.\d+:\d+", line)
        served[address].update(upstreams_tried)
    return served


def access_log(deployment: Deployment) -> list[str]:
    """nginx's access log so far: 'visitor upstream[, next upstream tried] status "method path"' per request."""
    return Path(deployment.run_dir, "nginx-access.log").read_text().splitlines()


def process_of(deployment: Deployment, address: str) -> str:
    """The one app process (host:port) that served `address`."""
    (upstream,) = upstreams(deployment)[address]
    return upstream


def test_a_browser_visitor_stays_on_one_process_for_the_whole_visit(browser, deployment):  # noqa: F811
    """Draw, the Gallery, a training run and "It was a …": every request from this page went to one process."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(deployment.url)
        page.wait_for_selector(f"{SKETCHPAD} canvas")
        _wait_until_idle(page, "opening the page")
        _draw(page, "7")
        page.wait_for_function("() => /It's a 7/.test(document.querySelector('#answer')?.innerText)", timeout=ANSWER_TIMEOUT_MS)
        page.locator("#it-was").get_by_role("button", name="7", exact=True).click()  # "It was a …" 7
        page.locator("#my-drawings").get_by_text("Your drawings: 1").wait_for()
        page.get_by_role("tab", name=EN["tab.gallery"]).click()
        page.wait_for_function("() => document.querySelector('#gallery-status')?.innerText.includes('MNIST, ')")
        page.get_by_role("tab", name=EN["tab.train"]).click()
        page.get_by_label(EN["arch.linear"], exact=True).check()  # the single layer, one epoch: a run of seconds
        epochs = page.get_by_label(f"number input for {EN['train.epochs']}")  # the slider's number box
        epochs.fill("1")
        epochs.press("Enter")
        page.get_by_role("button", name=EN["train.start"]).click()
        page.locator("#train-status").get_by_text("Done:").wait_for(timeout=180_000)
    finally:
        context.close()
    assert len(upstreams(deployment)["127.0.0.1"]) == 1, upstreams(deployment)


def addresses_on_each_process(deployment: Deployment, count: int = 24) -> dict[str, list[str]]:
    """{app process: the loopback addresses nginx sent there}, from one page load from each of `count` addresses."""
    candidates = [f"127.0.{1 + number // 200}.{2 + number % 200}" for number in range(count)]
    for address in candidates:
        for _ in range(2):
            with client_from(address) as client:
                assert client.get(deployment.url + "/config").status_code == 200
    served = upstreams(deployment)
    on = defaultdict(list)
    for address in candidates:
        assert len(served[address]) == 1, (address, served[address])  # sticky: both loads on one process
        on[next(iter(served[address]))].append(address)
    return on


def test_visitors_from_neighbouring_addresses_are_shared_evenly_between_the_processes(deployment):
    """A classroom's neighbouring addresses split about evenly (nginx's consistent ring sent 64 of them 18 / 46)."""
    on = addresses_on_each_process(deployment, count=64)
    assert set(on) == {f"127.0.0.1:{port}" for port in deployment.app_ports}, dict(on)
    assert min(len(addresses) for addresses in on.values()) >= 64 * 0.4, {process: len(a) for process, a in on.items()}


def test_a_dead_process_costs_only_its_own_visitors(browser, deployment):  # noqa: F811
    """Kill the process of a browser visitor who is training: the page says the connection is lost, and after a
    reload the other process serves it; a visitor of the other process draws on through it all with no error."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    opened = time.monotonic()
    page.goto(deployment.url)
    page.wait_for_selector(f"{SKETCHPAD} canvas")
    print(f"\nfirst load to a ready page: {time.monotonic() - opened:.1f} s")  # beside the reload's, for docs/results.md
    doomed = process_of(deployment, "127.0.0.1")
    other = next(address for process, addresses in addresses_on_each_process(deployment).items() if process != doomed
                 for address in addresses)
    survivor = client_from(other)
    drawing = upload(survivor, deployment.url, Path(__file__).parent / "data" / "drawn-digits" / "rgba" / "00000.png")
    answers, errors, done = [], [], threading.Event()

    def draw_on() -> None:
        while not done.is_set():
            try:
                answers.append(predict(survivor, deployment.url, drawing))
            except Exception as error:  # noqa: BLE001 - every failure is counted
                errors.append(repr(error)[:200])

    drawer = threading.Thread(target=draw_on)
    drawer.start()
    try:
        page.get_by_role("tab", name=EN["tab.train"]).click()
        page.get_by_role("button", name=EN["train.start"]).click()
        page.locator("#train-status").get_by_text("Training: epoch").wait_for()  # its progress streams from the process
        pid = deployment.app_pids[deployment.app_ports.index(int(doomed.rsplit(":", 1)[1]))]
        stop_process(pid, signal.SIGKILL)  # as in a crash: no chance to close its connections
        # The page's open stream breaks: Gradio tells the visitor at once, instead of waiting for ever.
        page.get_by_text("Connection to the server was lost").first.wait_for(timeout=30_000)
        reloaded, before = time.monotonic(), len(access_log(deployment))
        page.reload()
        print(f"reload() returned: {time.monotonic() - reloaded:.1f} s")
        page.wait_for_selector(f"{SKETCHPAD} canvas")
        print(f"reload to a ready page, served by the other process: {time.monotonic() - reloaded:.1f} s")
        _wait_until_idle(page, "reloading")
        _draw(page, "1")
        page.wait_for_function("() => /It's a 1/.test(document.querySelector('#answer')?.innerText)", timeout=ANSWER_TIMEOUT_MS)
        # Every request of the reloaded page was answered by the other process (a first try at the dead one aside).
        after = [line for line in access_log(deployment)[before:] if line.startswith("127.0.0.1 ")]
        survivor_process = process_of(deployment, other)
        assert after and all(re.search(rf"{survivor_process} [23]\d\d ", line) for line in after), after
        # Beside the reload's time: a new page's, served by the same process under the same load (for docs/results.md).
        fresh, opened = context.new_page(), time.monotonic()
        fresh.goto(deployment.url)
        fresh.wait_for_selector(f"{SKETCHPAD} canvas")
        print(f"a new page, served by the other process meanwhile: {time.monotonic() - opened:.1f} s")
    finally:
        done.set()
        drawer.join()
        survivor.close()
        context.close()
    assert not errors and len(answers) >= 3, (errors[:3], len(answers))
    assert all(answer.startswith("### ") for answer in answers), answers[:3]  # a verdict each time



def upload(client: httpx.Client, url: str, path: Path) -> str:
    """Upload a file as the page does; the server's path for it."""
    with path.open("rb") as file:
        reply = client.post(url + "/gradio_api/upload", files={"files": (path.name, file, "image/png")})
    reply.raise_for_status()
    return reply.json()[0]


def predict(client: httpx.Client, url: str, path: str) -> str:
    """/predict on an uploaded drawing through Gradio's REST API (join, then read the event's stream); the verdict."""
    sketch = {"background": None, "layers": [], "composite": {"path": path, "meta": {"_type": "gradio.FileData"}}, "id": None}
    reply = client.post(url + "/gradio_api/call/predict", json={"data": [sketch]})
    reply.raise_for_status()
    stream = client.get(f"{url}/gradio_api/call/predict/{reply.json()['event_id']}").text
    event, data = re.findall(r"event: (\w+)\ndata: (.*)", stream)[-1]
    if event != "complete":
        raise RuntimeError(f"{event}: {data[:120]}")
    return json.loads(data)[1]


def test_the_kubernetes_yaml_parses_with_client_ip_affinity():
    """deploy/kubernetes.yaml (on paper, never applied here): a Deployment of the app and a sticky Service."""
    import yaml  # Gradio's own dependency

    documents = {document["kind"]: document for document in yaml.safe_load_all(
        (Path(__file__).resolve().parents[1] / "deploy" / "kubernetes.yaml").read_text())}
    assert set(documents) == {"Deployment", "Service"}
    container = documents["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "app.py"]
    assert documents["Service"]["spec"]["sessionAffinity"] == "ClientIP"
    assert documents["Service"]["spec"]["selector"] == documents["Deployment"]["spec"]["selector"]["matchLabels"]
