"""deploy/nginx.conf in front of the real app, with Debian's nginx: the app works through it, and it refuses
what Streamlit itself does not let us stop."""

from __future__ import annotations

import getpass
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, _free_port, wait_for_app

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx.conf"
ANIMATION = "Array.from(document.querySelectorAll('.js-plotly-plot')).some(gd => gd._transitionData?._frames.length)"


@pytest.fixture(scope="module")
def proxy_url(app_url, tmp_path_factory):
    """The app served through deploy/nginx.conf, on its own port, with nginx's files in a temporary folder."""
    if not Path(NGINX).exists():
        pytest.skip("the proxy test needs Debian's nginx (apt-get install -y nginx; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    app_port = app_url.rsplit(":", 1)[1]
    site = SITE.read_text().replace("listen 8080;", f"listen 127.0.0.1:{port};")
    site = site.replace("127.0.0.1:8501", f"127.0.0.1:{app_port}")
    (folder / "site.conf").write_text(site)
    temporary = " ".join(
        f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Its workers run as this user (by default, as root's, they would be nobody, who cannot write to the folder).
    (folder / "nginx.conf").write_text(
        f"user {getpass.getuser()};\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\nevents {{}}\n"
        f"http {{ access_log off; {temporary} include {folder / 'site.conf'}; }}\n"
    )
    server = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"nginx did not start: {(folder / 'error.log').read_text()}")
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=10)


def status_and_headers(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_app_works_through_the_proxy_websocket_included(page, proxy_url):
    page.goto(proxy_url + "/?loss=square&r1=gd&r1.alpha=0.1")
    page.wait_for_function(f"() => {ANIMATION}", timeout=90_000)
    wait_for_app(page)


def test_the_proxy_lets_only_this_site_frame_the_app(proxy_url):
    status, headers, _ = status_and_headers(proxy_url + "/")
    assert status == 200
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/agent/interact", "/_stcore/agent/openapi.json"])
def test_the_proxy_refuses_what_streamlit_serves_to_anyone(app_url, proxy_url, path):
    status, _, _ = status_and_headers(proxy_url + path)
    assert status == 404


def test_a_link_that_streamlit_would_silently_ignore_is_refused_with_a_reason(proxy_url):
    status, _, text = status_and_headers(proxy_url + "/?" + "&".join(["r1=gd"] * 1001))
    assert status == 414 and "more than 1,000 settings" in text
    status, _, _ = status_and_headers(proxy_url + "/?" + "&".join(["r1=gd"] * 1000))
    assert status == 200
    status, _, _ = status_and_headers(proxy_url + "/?r1.label=" + "x" * 9000)  # beyond nginx's 8 KB request line
    assert status == 414
