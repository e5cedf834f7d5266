"""The `workbench` command line: thin click commands over the domain core.

Each command parses its options, calls one or two core functions and prints. Domain errors
(WorkbenchError) become a one-line message on stderr and the error's exit code (2 for bad input),
in one place: WorkbenchGroup.invoke. Heavy modules (argostranslate, ctranslate2, flask) are imported
inside the commands that need them so that `workbench --help` stays fast.
"""

from __future__ import annotations

import sys

import click

from workbench import __version__
from workbench.errors import WorkbenchError


class CommandError(click.ClickException):
    """A WorkbenchError on its way out: message on stderr, the error's own exit code."""

    def __init__(self, error: WorkbenchError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def show(self, file=None) -> None:
        click.echo(f"workbench: error: {self.format_message()}", err=True)


class UsageLine(click.ClickException):
    """Click's usage error (a bad option, a directory where a file belongs) as one line, in the
    same form as every other error, instead of click's usage text, hint and message."""

    exit_code = 2

    def __init__(self, error: click.UsageError) -> None:
        super().__init__(error.format_message())
        self.command_path = error.ctx.command_path if error.ctx is not None else "workbench"

    def show(self, file=None) -> None:
        message = " ".join(self.format_message().split())
        click.echo(f"workbench: error: {message} (see '{self.command_path} --help')", err=True)


def _one_line(exc: click.UsageError) -> click.ClickException:
    # A group called without a command shows its help, as `--help` would: keep that.
    if type(exc).__name__ == "NoArgsIsHelpError":
        return exc
    return UsageLine(exc)


class WorkbenchGroup(click.Group):
    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            raise CommandError(exc) from None
        except click.UsageError as exc:
            raise _one_line(exc) from None


@click.group(cls=WorkbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
def main() -> None:
    """Offline translation and comparison workbench.

    Segment texts into sentences, translate offline with Argos Translate packages, align a source
    with its rendering, review the pairs in the web view and export aligned corpora.
    """


def write_output(path: str, body: str, inputs: tuple[str, ...] = ()) -> None:
    """Print `body` for '-', else write it to `path` whole or not at all (files.write_atomic:
    links written through, pipes and devices written directly). An output that is one of the
    `inputs` is refused before anything is written."""
    if path == "-":
        click.echo(body, nl=False)
        return
    from workbench import files

    files.check_not_input([path], inputs)
    files.write_atomic(path, body.encode("utf-8"))


def check_output(path: str, inputs: tuple[str, ...]) -> None:
    """Refuse `-o` naming one of the inputs now, before any work is done."""
    from workbench import files

    files.check_not_input([path], inputs)


# --- segment -------------------------------------------------------------------------------------

@main.command("segment")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--lang", "lang", required=True, metavar="LANG",
              help="ISO 639-1 code of the text's language (ru, en, de, ...).")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True,
              help="text: one sentence per line; jsonl: one object per sentence with index, text, "
                   "start, end (character offsets), paragraph and line.")
@click.option("--presegmented", is_flag=True,
              help="The file already holds one sentence per line: keep its lines as they are.")
@click.option("-o", "--output", default="-", show_default=True, help="Write here instead of stdout.")
def segment_command(file: str, lang: str, fmt: str, presegmented: bool, output: str) -> None:
    """Split FILE (UTF-8 text, '-' for stdin) into sentences."""
    import json

    from workbench.corpus import check_language, decode_text, read_text
    from workbench.segment import segment, segment_lines

    check_output(output, (file,))
    code = check_language(lang)
    if file == "-":
        text = decode_text(sys.stdin.buffer.read(), "<stdin>")
    else:
        text = read_text(file)
    sentences = segment_lines(text) if presegmented else segment(text, code)
    lines = []
    for s in sentences:
        if fmt == "jsonl":
            record = {"index": s.index, "text": s.text, "start": s.start, "end": s.end,
                      "paragraph": s.paragraph, "line": s.line}
            lines.append(json.dumps(record, ensure_ascii=False))
        else:
            # a sentence of wrapped prose holds line breaks; the text format keeps one per line
            lines.append(" ".join(s.text.split()))
    body = "".join(line + "\n" for line in lines)
    write_output(output, body, (file,))


# --- align ---------------------------------------------------------------------------------------

@main.command("align")
@click.argument("source", type=click.Path(dir_okay=False))
@click.argument("rendering", type=click.Path(dir_okay=False))
@click.option("--src-lang", default="ru", show_default=True, metavar="LANG", help="Source language.")
@click.option("--tgt-lang", default="en", show_default=True, metavar="LANG", help="Rendering language.")
@click.option("--mt", "mt_file", default=None, type=click.Path(dir_okay=False),
              help="Machine translation of the source, one line per source sentence. Without it the "
                   "installed Argos model is used, or, with none, the model-free signals.")
@click.option("--presegmented", is_flag=True, help="Both files hold one sentence per line.")
@click.option("--mode", type=click.Choice(["auto", "monotone", "partial"]), default="auto",
              show_default=True,
              help="monotone: full translations in order; partial: reporting that quotes some "
                   "sentences anywhere; auto: chosen from the documents.")
@click.option("--signals", default="auto", show_default=True, metavar="LIST",
              help="Similarity signals, comma-separated: embed (the bundled sentence encoder), mt "
                   "(the machine translation against the rendering), lexical (names, numbers, "
                   "cognates and lengths, no model); auto: every one available.")
@click.option("-o", "--output", default="-", show_default=True,
              help="Write here instead of stdout (a .po name selects --format po).")
@click.option("--format", "fmt", type=click.Choice(["po", "links"]), default=None,
              help="po: the pair's PO file (needs -o); links: one bead per line as "
                   "[src ids]:[tgt ids]:score, 0-based. Default: po for -o *.po, else links.")
@click.option("--overwrite", is_flag=True, help="Replace an existing PO file, keeping the work on "
                                                 "beads that did not change.")
def align_command(source: str, rendering: str, src_lang: str, tgt_lang: str, mt_file: str | None,
                  presegmented: bool, mode: str, signals: str, output: str, fmt: str | None,
                  overwrite: bool) -> None:
    """Align the sentences of SOURCE with those of its RENDERING."""
    from pathlib import Path

    from workbench.align import align, parse_signals
    from workbench.corpus import Document, check_language, read_text
    from workbench.errors import InputError, ModelError
    from workbench.segment import segment, segment_lines

    inputs = (source, rendering) + ((mt_file,) if mt_file else ())
    check_output(output, inputs)
    src_code, tgt_code = check_language(src_lang), check_language(tgt_lang)
    wanted = parse_signals(signals)
    if fmt is None:
        fmt = "po" if output.endswith(".po") else "links"
    if fmt == "po" and output == "-":
        raise InputError("the po format needs a file name", hint="give -o NAME.po")
    src_text, tgt_text = read_text(source), read_text(rendering)
    if presegmented:
        src_sents, tgt_sents = segment_lines(src_text), segment_lines(tgt_text)
    else:
        src_sents, tgt_sents = segment(src_text, src_code), segment(tgt_text, tgt_code)
    mt: list[str] | None = None
    mt_model: str | None = None
    if mt_file is not None:
        mt = read_text(mt_file).split("\n")
        if mt and mt[-1] == "":
            mt.pop()
        if len(mt) != len(src_sents):
            raise InputError(f"the MT file has {len(mt)} lines but the source has {len(src_sents)} "
                             "sentences", path=mt_file,
                             hint="give one translation per source sentence (segment the source "
                                  "with 'workbench segment' to see its sentences)")
        mt_model = f"file {Path(mt_file).name}"
    elif "mt" in wanted or wanted == ("auto",):
        from workbench.translate import find_engine

        try:
            engine = find_engine(src_code, tgt_code)
            mt = engine.translate([s.text for s in src_sents])
            mt_model = engine.label
        except ModelError as exc:
            if "mt" in wanted:
                raise
            click.echo(f"workbench: no MT ({exc.message}); aligning without it", err=True)
    alignment = align([s.text for s in src_sents], [s.text for s in tgt_sents], src_lang=src_code,
                      tgt_lang=tgt_code, mt=mt, mode=mode, signals=signals)
    # said once the result is written: a refused output is then the only line
    how = (f"workbench: signals {alignment.settings['signals']}; mode "
           f"{alignment.settings['mode']}: {alignment.settings['mode-reason']}")
    if fmt == "po":
        from workbench import store

        def doc(path: str, code: str, text: str) -> Document:
            return Document(id=Path(path).name.removesuffix(".txt").replace(".", "-"), language=code,
                            path=path, text=text)

        store.write_alignment(output, doc(source, src_code, src_text),
                              doc(rendering, tgt_code, tgt_text), src_sents, tgt_sents, alignment,
                              mt=mt, mt_model=mt_model, overwrite=overwrite)
        click.echo(how, err=True)
        click.echo(f"wrote {output}: {len(alignment.beads)} beads, mode {alignment.settings['mode']}",
                   err=True)
        return
    body = "".join(f"[{','.join(map(str, b.source))}]:[{','.join(map(str, b.target))}]:{b.score:.4f}\n"
                   for b in alignment.beads)
    write_output(output, body, inputs)
    click.echo(how, err=True)


# --- models / translate --------------------------------------------------------------------------

@main.group("models")
def models_group() -> None:
    """List, install and remove Argos Translate packages (ARGOS_PACKAGES_DIR honoured)."""


@models_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: one package per line; json: an array of objects.")
def models_list(fmt: str) -> None:
    """Show the installed packages: from → to, version, name and path."""
    import json

    from workbench.translate import installed_packages, packages_dir

    packages = installed_packages()
    if fmt == "json":
        click.echo(json.dumps([{"name": p.name, "from": p.from_code, "to": p.to_code,
                                "version": p.version, "path": str(p.path),
                                "description": p.description} for p in packages],
                              ensure_ascii=False, indent=2))
        return
    if not packages:
        click.echo(f"no translation models installed in {packages_dir()}")
        click.echo("install one with: workbench models install PATH.argosmodel", err=True)
        return
    for p in packages:
        click.echo(f"{p.from_code} → {p.to_code}\t{p.version}\t{p.name}\t{p.path}")


@models_group.command("install")
@click.argument("path", type=click.Path(dir_okay=False))
def models_install(path: str) -> None:
    """Install the package file PATH.argosmodel (offline; replaces a package for the same pair)."""
    from workbench.translate import install_package

    p = install_package(path)
    click.echo(f"installed {p.from_code} → {p.to_code}\t{p.version}\t{p.name}\t{p.path}")


@models_group.command("remove")
@click.argument("from_code", metavar="FROM")
@click.argument("to_code", metavar="TO")
def models_remove(from_code: str, to_code: str) -> None:
    """Remove the installed package that translates FROM into TO."""
    from workbench.translate import remove_package

    p = remove_package(from_code, to_code)
    click.echo(f"removed {p.from_code} → {p.to_code}\t{p.version}\t{p.name}")


@main.command("translate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--from", "from_code", required=True, metavar="LANG", help="Source language code.")
@click.option("--to", "to_code", required=True, metavar="LANG", help="Target language code.")
@click.option("-o", "--output", default="-", show_default=True, help="Write here instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True,
              help="text: the translated text with the input's paragraphs and line breaks; jsonl: one "
                   "object per sentence (file, index, source, translation, offsets, model).")
@click.option("--beam-size", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option("--threads", type=click.IntRange(1, 256), default=None,
              help="Parallel translator replicas, one thread each [default: one per core].")
@click.option("--compute-type", default=None,
              help="ctranslate2 compute type (int8, float32, ...) [default: int8 where supported].")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu", show_default=True)
@click.option("--cache-dir", default=None, type=click.Path(file_okay=False),
              help="Translation cache directory [default: $WORKBENCH_CACHE_DIR or ~/.cache/workbench].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the translation cache.")
@click.option("--tm", "use_tm", is_flag=True,
              help="Take exact and fuzzy matches from the translation memory of --data before MT.")
@click.option("--tm-min", type=click.FloatRange(1, 100), default=85, show_default=True,
              help="Lowest fuzzy score (0-100) a memory match needs to be used.")
@click.option("--data", "data_dir", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Data directory whose memory --tm uses.")
def translate_command(files: tuple[str, ...], from_code: str, to_code: str, output: str, fmt: str,
                      beam_size: int, threads: int | None, compute_type: str | None, device: str,
                      cache_dir: str | None, no_cache: bool, use_tm: bool, tm_min: float,
                      data_dir: str) -> None:
    """Translate FILES (UTF-8 text; none or '-' reads stdin) offline, sentence by sentence.

    With --tm, a sentence the memory holds (exactly, or at --tm-min or above) takes the memory's
    reviewed rendering and only the rest goes to the model; jsonl says which came from where.
    """
    import json

    from workbench.corpus import check_language, decode_text, read_text
    from workbench.segment import segment_in_pieces
    from workbench.translate import find_engine

    check_output(output, files)
    source_lang = check_language(from_code)
    memory = None
    if use_tm:
        from workbench.memory import open_memory

        memory = open_memory(data_dir)
    target_lang = check_language(to_code) if use_tm else to_code
    hits: dict[tuple[int, int], object] = {}  # (document, sentence position) -> memory Match
    engine = find_engine(from_code, to_code, cache_dir=cache_dir, threads=threads,
                         compute_type=compute_type, device=device, beam_size=beam_size,
                         cache=not no_cache)
    engine.load_in_background()  # while the input is read and segmented
    docs: list[tuple[str, str, list]] = []

    def pieces():
        """The input's sentences as they are segmented, piece by piece (see segment_in_pieces),
        so the model starts on the first paragraphs while the rest is still being segmented."""
        for name in files or ("-",):
            text = decode_text(sys.stdin.buffer.read(), "<stdin>") if name == "-" else read_text(name)
            doc: list = []
            docs.append((name, text, doc))
            for piece in segment_in_pieces(text, source_lang):
                if memory is None:
                    doc.extend(piece)
                    yield [s.text for s in piece]
                    continue
                todo = []
                for s in piece:
                    found = memory.lookup(s.text, source_lang, target_lang, min_score=tm_min, limit=1)
                    if found:
                        hits[(len(docs) - 1, len(doc))] = found[0]
                    else:
                        todo.append(s.text)
                    doc.append(s)
                yield todo

    if sys.stderr.isatty():  # a progress bar needs the number of sentences first
        ready = list(pieces())
        if sum(map(len, ready)) >= 200:
            with click.progressbar(length=1000, label="translating", file=sys.stderr) as bar:
                shown = [0]

                def report(done: int, total: int) -> None:
                    now = 1000 * done // max(1, total)
                    bar.update(now - shown[0])
                    shown[0] = now

                translations = engine.translate_pieces(ready, progress=report)
        else:
            translations = engine.translate_pieces(ready)
    else:
        translations = engine.translate_pieces(pieces())
    parts: list[str] = []
    it = iter(translations)
    for d, (name, text, doc) in enumerate(docs):
        if fmt == "jsonl":
            for k, s in enumerate(doc):
                record = {"file": name, "index": s.index, "source": s.text, "translation": None,
                          "start": s.start, "end": s.end, "paragraph": s.paragraph, "line": s.line,
                          "model": engine.name, "model_version": engine.version}
                if memory is not None:
                    record.update(_memory_fields(hits.get((d, k))))
                if record["translation"] is None:
                    record["translation"] = next(it)
                parts.append(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            pos = 0
            for k, s in enumerate(doc):
                parts.append(text[pos:s.start])
                hit = hits.get((d, k))
                parts.append(hit.segment.target if hit is not None else next(it))
                pos = s.end
            parts.append(text[pos:])
    body = "".join(parts)
    write_output(output, body, files)


def _memory_fields(hit) -> dict:
    """What a jsonl record of `translate --tm` says about where its translation came from."""
    if hit is None:
        return {"origin": "mt", "tm_score": None}
    s = hit.segment
    return {"translation": s.target, "origin": "memory", "tm_kind": hit.kind, "tm_score": hit.score,
            "tm_source": s.source, "tm_pair": s.pair, "tm_bead": s.bead, "tm_reviewer": s.reviewer,
            "tm_time": s.time, "model": None, "model_version": None}


# --- export --------------------------------------------------------------------------------------

#: The names of workbench.export.FORMATS, listed here so that `--help` does not import lxml.
EXPORT_FORMATS = ("tmx", "xliff", "xliff2", "tsv", "jsonl", "moses", "po")


@main.command("export")
@click.argument("po_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", required=True, type=click.Choice(EXPORT_FORMATS),
              help="tmx: TMX 1.4b. xliff: XLIFF 1.2 (one <file> per pair). xliff2: XLIFF 2.0 (one "
                   "language pair). tsv: header row, backslash escapes. jsonl: one object per bead. "
                   "moses: two line-parallel files. po: a filtered copy of one PO file.")
@click.option("-o", "--output", required=True,
              help="Output file ('-' for stdout). For moses, OUT names two files: OUT.<srclang> "
                   "and OUT.<tgtlang> (e.g. -o corpus gives corpus.ru and corpus.en).")
@click.option("--status", type=click.Choice(["approved", "reviewed", "all"]), default="all",
              show_default=True,
              help="approved: approved beads only; reviewed: every status except unreviewed.")
@click.option("--min-score", type=float, default=None,
              help="Only beads whose alignment score is at least X (0..1). Default: any score.")
@click.option("--include-unmatched", is_flag=True,
              help="Also export unmatched beads (n-0, 0-n: a sentence with no counterpart, the "
                   "missing side empty). Default: left out.")
@click.option("--kinds", default=None, metavar="1-1,1-2,...",
              help="Only these bead kinds (source-target sentence counts). Default: every kind.")
def export_command(po_files: tuple[str, ...], fmt: str, output: str, status: str,
                   min_score: float | None, include_unmatched: bool, kinds: str | None) -> None:
    """Export the beads of one or more pairs' PO_FILEs as one corpus.

    Files are written complete or not at all. Pairs of different language pairs mix in tmx (languages
    per unit), xliff (per <file>), tsv and jsonl (per row); xliff2 and moses refuse them. Characters
    XML cannot carry (U+0001, U+FFFE, ...) are dropped from tmx and xliff and counted; xliff2 keeps
    them in sentences as <cp/>. Format notes: docs/export.md.
    """
    from workbench import export
    from workbench.errors import InputError

    filters = export.Filters(status=status, min_score=min_score, include_unmatched=include_unmatched,
                             kinds=export.Filters.parse_kinds(kinds) if kinds is not None else None)
    if output == "-":
        if fmt == "moses":
            raise InputError("moses writes two files and cannot go to stdout",
                             hint="give -o OUT to write OUT.<srclang> and OUT.<tgtlang>")
        report = export.export_records(list(po_files), fmt, sys.stdout.buffer, filters)
    else:
        report = export.export_to_path(list(po_files), fmt, output, filters)
    click.echo(report.summary(), err=True)

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
def serve(data_dir: str, host: str, port: int, token: str | None, allow_hosts: tuple[str, ...],
          threads: int) -> None:
    """Serve the web view of the document pairs in DATA (on waitress)."""
    from pathlib import Path

    from workbench.corpus import load_corpus
    from workbench.errors import InputError

    if host not in LOOPBACK and not token:
        raise InputError(f"refusing to serve on {host} without an access token",
                         hint="pass --token SECRET (or set WORKBENCH_TOKEN), or bind 127.0.0.1")
    root = Path(data_dir)
    load_corpus(root)  # fail now, with the file and line, rather than on the first request
    from workbench.web import create_app
    from workbench.web.limits import MAX_CONTENT_LENGTH

    names = tuple(allow_hosts) + (() if host in WILDCARD else (host,))
    app = create_app({"DATA_DIR": str(root.resolve()), "AUTH_TOKEN": token,
                      "ALLOWED_HOSTS": names})
    server = _wsgi_server(app, host, port, threads, MAX_CONTENT_LENGTH)
    shown = f"[{host}]" if ":" in host else host
    bound = getattr(server, "effective_port", port)
    click.echo(f"Serving {root.resolve()} on http://{shown}:{bound}/ (Ctrl+C to stop)", err=True)
    if host in WILDCARD:
        from workbench.web.security import allowed_hosts, display

        click.echo(f"Pages are answered under the names {display(allowed_hosts(names))} only: "
                   "add --allow-host NAME for each name others open it by", err=True)
    server.run()


def _wsgi_server(app, host: str, port: int, threads: int, max_body: int):
    """A waitress server bound to host:port; a taken port is one line, not the server's words."""
    import logging
    import socket

    from waitress.server import create_server

    from workbench.errors import InputError

    # A line per request whenever every thread is busy: noise on the terminal, and a stderr pipe
    # nobody reads would fill up and stall the server.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)  # waitress words a miss vaguely
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="bind an address of this machine with --host, e.g. 127.0.0.1") from None
    try:
        # ident replaces waitress's Server header, so no name or version of the stack shows.
        # Bodies over the app's limit still reach it and get its JSON 413; bodies over four times
        # the limit are refused by waitress before they are read.
        return create_server(app, host=host, port=port, threads=threads, ident="workbench",
                             max_request_body_size=4 * max_body, asyncore_use_poll=True,
                             clear_untrusted_proxy_headers=True)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="pick another port with --port, or stop the program using it") from None


# --- check ---------------------------------------------------------------------------------------

#: The names of workbench.check.KINDS, listed here so that `--help` does not import the checks.
CHECK_KINDS = ("number", "date", "name", "negation", "quote", "mt-missing")


@main.command("check")
@click.argument("po_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--kinds", default=None, metavar="number,date,...",
              help=f"Only these checks, comma separated: {', '.join(CHECK_KINDS)}. Default: all.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True,
              help="text: FILE:LINE: bead KEY: severity kind: explanation; jsonl: one object per "
                   "finding (file, line, bead, kind, severity, key, spans, texts, dismissed).")
def check_command(po_files: tuple[str, ...], kinds: str | None, fmt: str) -> None:
    """Check each bead of the pairs' PO_FILES: does the rendering say what the source says?

    Numbers, dates, names, negation, quotation marks, and MT words the rendering lacks. The files
    are only read. Exit status 1 when a finding of severity error remains that no
    `check-dismissed` comment covers, else 0; 2 for a missing or damaged file or an unknown kind.
    """
    import json
    from pathlib import Path

    from workbench import check, store
    from workbench.corpus import decode_text
    from workbench.errors import InputError

    try:
        asked = check.parse_kinds(kinds) if kinds is not None else check.KINDS
    except ValueError as exc:
        raise InputError(str(exc), hint=f"use some of {','.join(check.KINDS)}") from None
    pairs = [(path, store.load(path)) for path in po_files]  # every file read before any output
    counts = {"error": 0, "warning": 0, "dismissed": 0}
    unresolved_errors = 0
    for path, pf in pairs:
        lines = check.po_entry_lines(decode_text(Path(path).read_bytes(), path))
        for bead in check.check_records(pf.records, src_lang=pf.source_language,
                                         tgt_lang=pf.rendering_language, kinds=asked):
            record = pf.record(bead.key)
            for f in bead.findings:
                dismissed = bead.dismissal(f)
                counts["dismissed" if dismissed else f.severity] += 1
                unresolved_errors += f.severity == "error" and dismissed is None
                line = lines.get(bead.key, 0)
                if fmt == "jsonl":
                    def part(text: str | None, span) -> str | None:
                        return text[span[0]:span[1]] if text is not None and span else None

                    click.echo(json.dumps({
                        "file": path, "line": line, "bead": bead.key, **f.to_dict(),
                        "source": part(record.source_text, f.source_span),
                        "rendering": part(record.rendering_text, f.rendering_span),
                        "mt": part(record.mt, f.mt_span),
                        "dismissed": dismissed.reason if dismissed else None}, ensure_ascii=False))
                else:
                    note = f" [dismissed: {dismissed.reason}]" if dismissed else ""
                    click.echo(f"{path}:{line}: bead {bead.key}: {f.severity} {f.kind}: "
                               f"{f.explanation}{note}")
    click.echo(f"check: {counts['error']} errors, {counts['warning']} warnings, "
               f"{counts['dismissed']} dismissed in {len(pairs)} file{'s' if len(pairs) != 1 else ''}",
               err=True)
    if unresolved_errors:
        sys.exit(1)


# --- batch ---------------------------------------------------------------------------------------

@main.command("batch")
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("--scheduler", default="local", show_default=True, metavar="WHERE",
              help="local: a Dask LocalCluster of worker processes on this machine; "
                   "tcp://HOST:PORT: an existing Dask scheduler (docs/cluster.md); sequential: "
                   "every pair in this process, no Dask.")
@click.option("--workers", type=click.IntRange(1, 1024), default=None,
              help="Worker processes of the local cluster [default: one per core].")
@click.option("--overwrite", is_flag=True,
              help="Re-align pairs whose PO file holds reviewed work from other inputs or "
                   "settings, keeping the work on beads that did not change.")
def batch_command(manifest: str, scheduler: str, workers: int | None, overwrite: bool) -> None:
    """Segment, translate, encode and align every document pair that MANIFEST (TOML, see
    docs/manifest.md) lists, into a data directory `serve` opens. Finished pairs are skipped on a
    rerun; a failed pair is reported and the others go on (exit status 1 if any failed)."""
    import time

    from workbench import batch

    spec = batch.load_manifest(manifest)
    batch.check_output(spec)  # before a cluster is started for nothing
    ex = batch.executor(scheduler, workers)
    try:
        click.echo(f"workbench: {len(spec.pairs)} pairs on {ex.describe}; dashboard: "
                   f"{ex.dashboard or 'none (install bokeh for it)'}", err=True)
        tty = sys.stderr.isatty()
        shown = [0.0]

        def progress(status: batch.Status) -> None:
            now = time.monotonic()
            if tty and (now - shown[0] >= 0.2 or status.finished == status.total):
                shown[0] = now
                width = 24
                filled = width * status.finished // max(1, status.total)
                click.echo(f"\r[{'#' * filled}{'-' * (width - filled)}] {status.line(now)}\x1b[K",
                           err=True, nl=False)

        summary = batch.run(spec, ex, overwrite=overwrite, progress=progress)
        if tty:
            click.echo("", err=True)
    finally:
        ex.close()
    for line in summary.lines():
        click.echo(f"workbench: {line}", err=True)
    click.echo(f"wrote {spec.output}", err=True)
    if summary.failures:
        sys.exit(1)


# --- translation memory --------------------------------------------------------------------------

DATA_OPTION = click.option("--data", "data_dir", default=".", show_default=True,
                           type=click.Path(file_okay=False),
                           help="Directory holding translations/ (the memory indexes its PO files).")


@main.group("tm")
def tm_group() -> None:
    """The translation memory: approved beads of every pair, plus imported TMX.

    The index (translations/.memory.sqlite3) is derived from the PO files and the imports kept in
    memory/; deleting it loses nothing.
    """


@tm_group.command("rebuild")
@DATA_OPTION
def tm_rebuild(data_dir: str) -> None:
    """Recreate the memory's index from the PO files and imported TMX alone."""
    from workbench.memory import Memory

    memory = Memory(data_dir)
    report = memory.rebuild()
    click.echo(f"memory: {report.segments} segments from {report.files} files", err=True)
    _report_skipped(report.errors)


def _report_skipped(errors: list) -> None:
    if errors:
        for e in errors:
            click.echo(f"workbench: error: {e} (left out of the memory)", err=True)
        sys.exit(2)


@tm_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@DATA_OPTION
def tm_import(file: str, data_dir: str) -> None:
    """Add the units of FILE (TMX 1.4b, as OmegaT or Trados write it) to the memory; a copy is kept
    in DATA/memory/ so that a rebuild keeps them."""
    from workbench.memory import Memory

    memory = Memory(data_dir)
    n = memory.import_tmx(file)
    click.echo(f"imported {n} segments from {file}; memory: {memory.count()} segments", err=True)


@tm_group.command("export")
@click.option("-o", "--output", required=True, help="The TMX file to write.")
@DATA_OPTION
def tm_export(output: str, data_dir: str) -> None:
    """Write the whole memory as TMX 1.4b (reviewer and date on each unit)."""
    from workbench.memory import export_to_path, open_memory

    memory = open_memory(data_dir)
    n = export_to_path(memory, output)
    click.echo(f"wrote {output}: {n} units", err=True)


@tm_group.command("lookup")
@click.argument("text")
@click.option("--from", "from_code", required=True, metavar="LANG", help="Language of TEXT.")
@click.option("--to", "to_code", required=True, metavar="LANG", help="Language of the renderings.")
@click.option("--min", "min_score", type=click.FloatRange(1, 100), default=70, show_default=True,
              help="Lowest fuzzy score (0-100, character-based) shown.")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--semantic", is_flag=True,
              help="Also look for sources that say the same in other words (sentence encoder).")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True, help="text: one match per block; jsonl: one object per match.")
@DATA_OPTION
def tm_lookup(text: str, from_code: str, to_code: str, min_score: float, limit: int, semantic: bool,
              fmt: str, data_dir: str) -> None:
    """Matches for TEXT in the memory: exact first, then fuzzy by score."""
    import json

    from workbench.corpus import check_language
    from workbench.memory import open_memory

    src, tgt = check_language(from_code), check_language(to_code)
    memory = open_memory(data_dir)
    matches = memory.lookup(text, src, tgt, min_score=min_score, limit=limit)
    if semantic:
        matches += memory.semantic_lookup(text, src, tgt, limit=limit)
    if fmt == "jsonl":
        click.echo("".join(json.dumps(m.to_json(), ensure_ascii=False) + "\n" for m in matches),
                   nl=False)
        return
    if not matches:
        click.echo(f"no match at {min_score:g} or above", err=True)
    for m in matches:
        s = m.segment
        marked = "".join(f"[{t}]" if tag != "equal" else t for t, tag in m.diff[1])
        who = ", ".join(x for x in (s.reviewer, s.time) if x)
        click.echo(f"{m.kind} {m.score:g}  {s.pair} {s.bead}" + (f"  ({who})" if who else ""))
        click.echo(f"  {marked}\n  {s.target}")


from workbench.cli_sources import export_source  # noqa: E402  (kept in a module of its own)

main.add_command(export_source)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
