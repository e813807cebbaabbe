"""``docgen serve``: the archive, the ledger and the search as web pages for the whole office.

A face, like the CLI: it imports the pipeline and the shared modules, and Starlette, Jinja2 and
uvicorn live only here. Nothing else in docgen imports it but the CLI.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from docgen.errors import DocgenError
from docgen.pipeline.workspace import Workspace
from docgen.web.app import ServerOptions, create_app
from docgen.web.security import is_loopback

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

LISTEN_BACKLOG = 128
MIN_PASSWORD = 8
# Printable, yet nothing shows: a password of these is as good as none (found by an attack run).
BLANK_LOOKING = frozenset("\u2800\u3164\u115f\u1160\uffa0")


def office_options(host: str, password: str | None) -> ServerOptions:
    """Refuse to open the archive to the network without a password; answer only to our own names.

    White space around a password (a newline in its file) is not part of it; a password of
    white space alone is no password (nine spaces once opened a server to the network).
    """
    password = (password or "").lstrip("\ufeff").strip() or None  # a BOM Notepad put in the file is not typed
    if not is_loopback(host) and not password:
        msg = (
            f"在 {host} 上对其他电脑开放时必须设置密码：用 --password-file 指定一个只含密码的文件，"
            "或设置环境变量 DOCGEN_SERVE_PASSWORD。只在本机使用时不必设置（默认 --host 127.0.0.1）。"
        )
        raise DocgenError(msg)
    if is_loopback(host):
        return ServerOptions(password=password or None)
    if password is not None and not all(ch.isprintable() for ch in password):
        msg = "密码中含有看不见的字符（零宽空格、软连字符、控制字符等），请只用能看见、能打出来的字符。"
        raise DocgenError(msg)
    seen = sum(1 for ch in (password or "") if not ch.isspace() and ch not in BLANK_LOOKING)
    if password is not None and seen < MIN_PASSWORD:
        msg = f"对其他电脑开放时，密码至少要 {MIN_PASSWORD} 个能看见的字符（现为 {seen} 个）。"
        raise DocgenError(msg)
    return ServerOptions(password=password, allowed_hosts=("*",))


def lan_address() -> str | None:
    """This machine's address on the office network, to tell colleagues (None when it has none).

    Connecting a UDP socket sends nothing; it only asks the system which address it would use.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


def listening_socket(host: str, port: int) -> socket.socket:
    """Bind the address first, so a port in use is said in Chinese, before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said outright: asyncio turns Nagle off only on sockets that say so, and a
    # page otherwise waits 40 ms for a delayed ACK between its headers and its body.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        msg = f"无法在 {host}:{port} 上启动（{exc.strerror}）：端口可能已被占用，请用 --port 换一个端口。"
        raise DocgenError(msg) from None
    return sock


def server_config(app: Starlette) -> uvicorn.Config:
    """The uvicorn settings for docgen: quiet, and the peer address is the one the socket saw.

    uvicorn believes ``X-Forwarded-For`` from loopback by default; found by an attack run, that let
    one machine sign in with a fresh "address" per guess and pass the sign-in throttle. docgen is
    served directly (a proxy in front would be configured here, deliberately), so it believes none.
    """
    import uvicorn  # noqa: PLC0415 - only the server needs it

    return uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, proxy_headers=False)


def serve(ws: Workspace, options: ServerOptions, sock: socket.socket) -> None:
    """Run the server on a bound socket until interrupted (Ctrl+C)."""
    import uvicorn  # noqa: PLC0415 - only the server needs it

    uvicorn.Server(server_config(create_app(ws, options))).run(sockets=[sock])


__all__ = ["ServerOptions", "create_app", "listening_socket", "office_options", "serve", "server_config"]
