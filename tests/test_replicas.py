"""Two `serve` replicas behind Debian's nginx (round robin, no stickiness), one `chroma run`
server and Debian's PostgreSQL for feedback, all on loopback: a signed-in conversation that
alternates between replicas keeps working, and an ingest while both serve reaches both."""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_chroma_server import chroma_url, free_port  # noqa: F401 (a fixture)

from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
SECRET = "replica-test-secret-0123456789"
CORPUS = {
    "poland.md": "---\ntitle: Poland 2014\ndate: 2014-03-04\n---\n# Poland 2014\n\n"
    "Poland requested Article 4 consultations on 3 March 2014 because of the crisis in "
    "Crimea. The North Atlantic Council met the next day.\n",
    "turkey.md": "---\ntitle: Turkey 2003\ndate: 2003-02-10\n---\n# Turkey 2003\n\n"
    "Turkey made the first Article 4 request on 10 February 2003 over the war in Iraq. "
    "Allies then deployed Patriot missiles to Turkey.\n",
}
NGINX = """
user root;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    log_format upstream '$request_uri $status $upstream_addr';
    access_log {dir}/access.log upstream;
    upstream assistant {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://assistant;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


def need(*packages: str) -> None:
    """Installs Debian packages the test needs, or skips saying why it cannot."""
    if not shutil.which("apt-get") or os.geteuid() != 0:
        pytest.skip(f"needs Debian's {' and '.join(packages)} (apt-get as root is unavailable)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env=env, check=False)
    if done.returncode:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env=env, check=True)


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float, **kw: object) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=2, **kw).status_code == 200:  # type: ignore[arg-type]
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{url} did not come up")
        time.sleep(0.3)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not glob.glob("/usr/lib/postgresql/*/bin/postgres"):
        need("postgresql")
    bin_dir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
    # PostgreSQL refuses to run as root: its folder belongs to the postgres user.
    owner = pwd.getpwnam("postgres")
    home = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    home.chmod(0o755)
    os.chown(home, owner.pw_uid, owner.pw_gid)
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_postgres, str(bin_dir / "initdb"), "-D", str(home / "data"), "-A", "trust"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            *as_postgres,
            str(bin_dir / "postgres"),
            "-D",
            str(home / "data"),
            "-p",
            str(port),
            "-k",
            str(home),
            "-c",
            "listen_addresses=127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        deadline = time.monotonic() + 60
        while True:
            try:
                with engine.connect():
                    break
            except sa.exc.OperationalError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("postgres did not start")
                time.sleep(0.3)
        engine.dispose()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def deployment(
    chroma_url: str,  # noqa: F811
    postgres_url: str,
    tmp_path: Path,
) -> Iterator[dict[str, object]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        need("nginx-light")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, body in CORPUS.items():
        (corpus / name).write_text(body, encoding="utf-8")
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
        "ASSISTANT_CHROMA_URL": chroma_url,
        "ASSISTANT_FEEDBACK_DB": postgres_url,
        "ASSISTANT_SESSION_SECRET": SECRET,
        "ASSISTANT_REPLICAS": "2",
        "ASSISTANT_USERS": "ana:correct-horse",
        "ASSISTANT_API_KEYS": "health-key",
        "ASSISTANT_RATE_LIMIT": "off",
    }
    ingest = [sys.executable, "-m", "assistant", "ingest"]
    subprocess.run(ingest, env=env, check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    ports = [free_port(), free_port()]
    replicas = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / f"replica-{port}.log", "wb"),  # noqa: SIM115
        )
        for port in ports
    ]
    conf_dir = tmp_path / "nginx"
    conf_dir.mkdir()
    front = free_port()
    (conf_dir / "nginx.conf").write_text(
        NGINX.format(dir=conf_dir, a=ports[0], b=ports[1], port=front), encoding="utf-8"
    )
    proxy = subprocess.Popen(
        [nginx, "-p", str(conf_dir), "-c", str(conf_dir / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.DEVNULL,
    )
    key = {"headers": {"Authorization": "Bearer health-key"}}
    try:
        for port, process in zip(ports, replicas, strict=True):
            wait_for(f"http://127.0.0.1:{port}/api/health", process, 180, **key)
        wait_for(f"http://127.0.0.1:{front}/api/health", proxy, 30, **key)
        yield {
            "url": f"http://127.0.0.1:{front}",
            "ports": ports,
            "env": env,
            "corpus": corpus,
            "log": conf_dir / "access.log",
            "postgres": postgres_url,
        }
    finally:
        proxy.terminate()
        for process in replicas:
            process.terminate()
        for process in [proxy, *replicas]:
            process.wait(timeout=30)


def upstreams(log: Path, path: str) -> list[str]:
    """The replica (address:port) nginx sent each request for path to, in order."""
    lines = log.read_text(encoding="utf-8").splitlines()
    return [line.split()[-1] for line in lines if re.match(rf"{re.escape(path)}\b", line)]


def test_a_conversation_alternating_between_replicas_keeps_working(
    deployment: dict[str, object],
) -> None:
    url, log = str(deployment["url"]), Path(str(deployment["log"]))
    with httpx.Client(base_url=url, timeout=120) as client:
        signed_in = client.post(
            "/login", data={"username": "ana", "password": "correct-horse", "next": "/"}
        )
        assert signed_in.status_code == 303 and client.cookies
        first = client.post("/api/ask", json={"question": "When did Poland request consultations?"})
        assert first.status_code == 200, first.text
        answer = first.json()
        assert "3 March 2014" in answer["answer"]
        assert {c["source"] for c in answer["citations"]} == {"poland.md"}
        history = [
            {"role": "user", "content": answer["question"]},
            {"role": "assistant", "content": answer["answer"]},
        ]
        follow = client.post("/api/ask", json={"question": "Why did they ask?", "history": history})
        assert follow.status_code == 200, follow.text
        assert {c["source"] for c in follow.json()["citations"]} == {"poland.md"}
        rated = client.post("/api/feedback", json={"answer": answer, "rating": 1})
        assert rated.status_code == 200, rated.text
        row = rated.json()["id"]
        changed = client.post(
            "/api/feedback",
            json={
                "answer": answer,
                "rating": -1,
                "comment": "Too short.",
                "id": row,
            },
        )
        assert changed.json() == rated.json()
        for _ in range(4):  # the sign-in cookie is good on every replica
            assert client.get("/config").status_code == 200
    served = upstreams(log, "/api/ask") + upstreams(log, "/api/feedback")
    assert len(set(served)) == 2, served  # both replicas answered this conversation

    import sqlalchemy as sa

    engine = sa.create_engine(str(deployment["postgres"]))
    with engine.connect() as db:
        rows = db.execute(sa.text('SELECT "user", rating, comment FROM feedback')).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("ana", -1, "Too short.")]


def test_an_ingest_while_both_serve_reaches_both(deployment: dict[str, object]) -> None:
    url, ports = str(deployment["url"]), list(deployment["ports"])  # type: ignore[call-overload]
    key = {"Authorization": "Bearer health-key"}
    statuses: list[int] = []
    stop = threading.Event()

    def ask() -> None:
        with httpx.Client(base_url=url, timeout=120, headers=key) as client:
            while not stop.is_set():
                reply = client.post("/api/ask", json={"question": "Why did Turkey ask?"})
                statuses.append(reply.status_code)

    generations = {
        httpx.get(f"http://127.0.0.1:{p}/api/health", headers=key).json()["generation"]
        for p in ports
    }
    asker = threading.Thread(target=ask)
    asker.start()
    try:
        Path(str(deployment["corpus"]), "latvia.md").write_text(
            "# Latvia 2031\n\nLatvia requested Article 4 consultations on 2 May 2031 after "
            "a subsea cable to Gotland was cut.\n",
            encoding="utf-8",
        )
        env = dict(deployment["env"])  # type: ignore[call-overload]
        ingest = [sys.executable, "-m", "assistant", "ingest"]
        subprocess.run(ingest, env=env, check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
    finally:
        stop.set()
        asker.join(timeout=120)
    assert statuses and set(statuses) == {200}, statuses
    (before,) = generations
    for port in ports:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=key, timeout=120) as c:
            reply = c.post("/api/ask", json={"question": "When did Latvia request consultations?"})
            assert "2 May 2031" in reply.json()["answer"]
            assert c.get("/api/health").json()["generation"] == before + 1
