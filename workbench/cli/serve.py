"""`workbench serve`: the web view on waitress, with the checks a bound address needs."""

from __future__ import annotations

import click

from workbench.cli.base import main


# --- serve ---------------------------------------------------------------------------------------

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WILDCARD = {"0.0.0.0", "::", ""}


@main.command()
@click.option("--data", "data_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Directory holding corpora/ and translations/.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--token", envvar="WORKBENCH_TOKEN", default=None,
              help="Access token every request must carry; required to bind a non-loopback host "
                   "(or set WORKBENCH_TOKEN).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Another host name the pages may be opened by (repeatable); 127.0.0.1, "
                   "localhost and [::1] always are, and so is the --host address.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Worker threads answering requests.")
@click.option("--read-only", is_flag=True,
              help="Serve the pairs to read and export only, even where DATA could be written "
                   "(a directory that cannot be written is served so anyway).")
def serve(data_dir: str, host: str, port: int, token: str | None, allow_hosts: tuple[str, ...],
          threads: int, read_only: bool) -> None:
    """Serve the web view of the document pairs in DATA (on waitress). A directory without
    corpora.toml starts with an empty list and the New comparison page."""
    from pathlib import Path

    from workbench import files
    from workbench.corpus import load_corpus
    from workbench.errors import InputError

    if host not in LOOPBACK and not token:
        raise InputError(f"refusing to serve on {host} without an access token",
                         hint="pass --token SECRET (or set WORKBENCH_TOKEN), or bind 127.0.0.1")
    root = Path(data_dir)
    if not root.is_dir():
        raise InputError("no such directory", path=data_dir,
                         hint=f"make it with `workbench init {data_dir}`, or give --data DIR")
    # fail now, with the file and line, rather than on the first request
    load_corpus(root, missing_ok=True)
    from workbench.web import create_app
    from workbench.web.limits import MAX_CONTENT_LENGTH, MAX_UPLOAD_BYTES

    names = tuple(allow_hosts) + (() if host in WILDCARD else (host,))
    app = create_app({"DATA_DIR": str(root.resolve()), "AUTH_TOKEN": token,
                      "ALLOWED_HOSTS": names,
                      "READ_ONLY": "it is served with --read-only" if read_only else None})
    server = _wsgi_server(app, host, port, threads, max(MAX_CONTENT_LENGTH, MAX_UPLOAD_BYTES))
    bound = getattr(server, "effective_port", port)
    for line in _banner(root.resolve(), host, bound, names, token is not None):
        click.echo(line, err=True)
    reason = app.config["READ_ONLY"] or files.unwritable(root)
    if reason:
        click.echo(f"Read-only: {reason}; pages can be read and exported, nothing can be saved",
                   err=True)
    server.run()


def _url(name: str, port: int) -> str:
    return f"http://[{name}]:{port}/" if ":" in name else f"http://{name}:{port}/"


def _banner(root, host: str, port: int, names: tuple[str, ...], token: bool) -> list[str]:
    """What `serve` says it serves: addresses that answer. An address bound on every interface
    (0.0.0.0) is no address a browser may open: this machine's loopback name and the names given
    with --allow-host are."""
    key = " (each browser once with ?token=SECRET, or an Authorization: Bearer header)" \
        if token else ""
    if host not in WILDCARD:
        return [f"Serving {root} on {_url(host, port)} (Ctrl+C to stop){key}"]
    from workbench.web.security import allowed_hosts

    here = _url("::1" if host == "::" else "127.0.0.1", port)
    others = [_url(n, port) for n in sorted(allowed_hosts(names) - LOOPBACK)]
    return [f"Serving {root} on every address of this machine, port {port} (Ctrl+C to stop)",
            f"Open {here} here" + (f", or {', '.join(others)} from other machines" if others
                                   else "; other machines open it by a name you allow with "
                                        "--allow-host NAME") + key]


def _wsgi_server(app, host: str, port: int, threads: int, max_body: int):
    """A waitress server bound to host:port; a taken port is one line, not the server's words."""
    import logging
    import socket

    from workbench.errors import InputError
    from workbench.web.server import make_server

    # A line per request whenever every thread is busy: noise on the terminal, and a stderr pipe
    # nobody reads would fill up and stall the server.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)  # waitress words a miss vaguely
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="bind an address of this machine with --host, e.g. 127.0.0.1") from None
    try:
        # Bodies over the app's limits still reach it and get its JSON 413; bodies over twice the
        # largest (an upload's) are refused by waitress before they are read.
        return make_server(app, host=host, port=port, threads=threads,
                           max_request_body_size=2 * max_body)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="pick another port with --port, or stop the program using it") from None
