"""Security: loopback by default, token elsewhere, CSRF on forms, size limits, bounded uploads,
escaping, and the headers pages are served with."""

from __future__ import annotations

import pytest
from web_helpers import make_client

from reeflow.core.errors import InputError

TOKEN = "t0ken-for-the-web-tests-0123456789"


def test_settings_refuse_open_host_without_token(monkeypatch):
    from reeflow.web.settings import TOKEN_ENV, make_settings

    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(InputError, match="--host"):
        make_settings(host="0.0.0.0")
    with pytest.raises(InputError, match="--token"):
        make_settings(host="0.0.0.0", token="short")
    assert make_settings(host="0.0.0.0", token=TOKEN).token == TOKEN
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    assert make_settings(host="10.0.0.1").token == TOKEN  # from the environment
    for host in ("127.0.0.1", "127.9.9.9", "::1", "localhost"):
        assert make_settings(host=host).loopback
    with pytest.raises(InputError):
        make_settings(port=0)
    with pytest.raises(InputError, match="--db"):
        make_settings(db="mysql://x")


def test_cli_serve_refuses_open_host(capsys, monkeypatch):
    from reeflow.cli import main
    from reeflow.web.settings import TOKEN_ENV

    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "token" in capsys.readouterr().err


def test_foreign_host_header_refused(idle_client):
    r = idle_client.get("/api/health", headers={"host": "evil.example"})
    assert r.status_code == 400
    assert idle_client.get("/api/health", headers={"host": "localhost:8000"}).status_code == 200
    assert idle_client.get("/api/health", headers={"host": "[::1]:8000"}).status_code == 200


def test_token_gate(tmp_path):
    with make_client(tmp_path, token=TOKEN, host="0.0.0.0") as c:
        assert c.get("/api/health").status_code == 200  # open
        assert c.get("/static/app.css").status_code == 200
        assert c.get("/api/studies").status_code == 401
        assert c.get("/openapi.json").status_code == 401
        ok = c.get("/api/studies", headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        assert c.get("/api/studies", headers={"authorization": "Bearer wrong"}).status_code == 401
        page = c.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"
        login = c.get("/login")
        csrf = c.cookies.get("reeflow_csrf")
        assert login.status_code == 200 and csrf
        bad = c.post("/login", data={"token": "nope", "csrf_token": csrf})
        assert bad.status_code == 401
        good = c.post("/login", data={"token": TOKEN, "csrf_token": csrf}, follow_redirects=False)
        assert good.status_code == 303
        assert c.get("/").status_code == 200  # the auth cookie now opens the pages


def test_csrf_on_forms(idle_client):
    page = idle_client.get("/")
    token = idle_client.cookies.get("reeflow_csrf")
    assert token and token in page.text
    assert "samesite=strict" in page.headers["set-cookie"].lower() or \
        idle_client.get("/").status_code == 200
    assert idle_client.post("/ui/studies", data={"case": "beylikova"}).status_code == 403
    assert idle_client.post("/ui/studies", data={"case": "beylikova"},
                            headers={"x-csrf-token": "forged"}).status_code == 403
    ok = idle_client.post("/ui/studies", data={"case": "beylikova"},
                          headers={"x-csrf-token": token})
    assert ok.status_code == 200
    form = idle_client.post("/ui/studies", data={"case": "beylikova", "csrf_token": token})
    assert form.status_code == 200


def test_body_size_limits(idle_client):
    big = "x" * (3 * 1024 * 1024)
    r = idle_client.post("/api/studies", json={"project_yaml": big})
    assert r.status_code == 413

    def chunks():
        for _ in range(40):
            yield b"a" * 100_000

    r = idle_client.post("/api/studies", content=chunks(),
                         headers={"content-type": "application/json"})
    assert r.status_code == 413
    mid = "#" + "y" * (1100 * 1024)  # under the body limit, over the YAML limit
    r = idle_client.post("/api/studies", json={"project_yaml": mid})
    assert r.status_code == 422 and "KiB" in r.json()["detail"]


def test_uploaded_yaml_is_bounded(idle_client):
    token = idle_client.cookies.get("reeflow_csrf") or (idle_client.get("/") and
                                                        idle_client.cookies.get("reeflow_csrf"))
    bomb = "a: &a [1,2,3,4,5,6,7,8,9]\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    r = idle_client.post("/api/studies", json={"project_yaml": bomb})
    assert r.status_code == 422
    for text, word in (("extends: ../secret.yaml\n", "extends"),
                       ("extends: builtin:beylikova\neconomics:\n  include_file: /etc/passwd\n",
                        "include_file")):
        up = idle_client.post("/ui/editor/import", data={"yaml_text": text, "csrf_token": token})
        assert up.status_code == 422 and word in up.text


def test_user_strings_are_escaped(idle_client):
    evil = "<script>alert(1)</script>"
    r = idle_client.post("/api/studies", json={"project_yaml": (
        f"extends: builtin:beylikova\nname: '{evil}'\ndescription: '\"><img src=x onerror=alert(2)>'\n")})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    for page in ("/", f"/studies/{sid}"):
        html = idle_client.get(page).text
        assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img src=x" not in html
    bad = idle_client.post("/api/studies", json={"project": f"builtin:{evil}"})
    assert bad.status_code == 422
    page = idle_client.get(f"/studies/{evil}")
    assert page.status_code == 404 and evil not in page.text


def test_security_headers(idle_client):
    page = idle_client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert page.headers["x-content-type-options"] == "nosniff"
    for path in ("/", "/editor", "/sx", "/market", "/compare"):
        html = idle_client.get(path).text
        assert "<script>" not in html  # no inline scripts; data islands are type=application/json
        assert "https://" not in html.split("<main>")[0]  # no CDN in the head
