"""`workbench segment`, `align` and `translate`: commands over one or a few text files."""

from __future__ import annotations

import sys

import click

from workbench.cli.base import main, write_output, check_output
from workbench.cli.progress import QUIET_OPTION, Display


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

    from workbench.corpus import check_language, decode_text, read_stream, read_text
    from workbench.segment import segment, segment_lines

    check_output(output, (file,))
    code = check_language(lang)
    if file == "-":
        text = decode_text(read_stream(sys.stdin.buffer, "<stdin>"), "<stdin>")
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
@click.option("--rendering-lang", "--tgt-lang", "tgt_lang", default="en", show_default=True,
              metavar="LANG", help="Rendering language (--tgt-lang: its earlier name).")
@click.option("--mt", "mt_file", default=None, type=click.Path(dir_okay=False),
              help="Machine translation of the source, one line per source sentence. Without it the "
                   "installed Argos model is used, or, with none, the model-free signals.")
@click.option("--presegmented", is_flag=True, help="Both files hold one sentence per line.")
@click.option("--mode", type=click.Choice(["auto", "monotone", "partial"]), default="auto",
              show_default=True,
              help="auto: one search for every shape (a full translation, quotes in order or "
                   "shuffled, cut quotes; unrelated sentences stay unmatched). Overrides: "
                   "monotone (full translations in order), partial (quotes found anywhere).")
@click.option("--signals", default="auto", show_default=True, metavar="LIST",
              help="Similarity signals, comma-separated: embed (the bundled sentence encoder), mt "
                   "(the machine translation against the rendering), lexical (names, numbers, "
                   "cognates and lengths, no model); auto: every one available.")
@click.option("-o", "--output", default="-", show_default=True,
              help="Write here instead of stdout (a .po name selects --format po).")
@click.option("--format", "fmt", type=click.Choice(["po", "links"]), default=None,
              help="po: the pair's PO file (needs -o); links: one bead per line as "
                   "[source ids]:[rendering ids]:score, 0-based. Default: po for -o *.po, else links.")
@click.option("--overwrite", is_flag=True, help="Replace an existing PO file, keeping the work on "
                                                 "beads that did not change.")
@click.option("--data", "data_dir", default=None, type=click.Path(exists=True, file_okay=False),
              help="Use this data directory's probabilities refit from its translators' "
                   "decisions (`workbench calibrate`).")
@QUIET_OPTION
def align_command(source: str, rendering: str, src_lang: str, tgt_lang: str, mt_file: str | None,
                  presegmented: bool, mode: str, signals: str, output: str, fmt: str | None,
                  overwrite: bool, data_dir: str | None, quiet: bool) -> None:
    """Align the sentences of SOURCE with those of its RENDERING."""
    from pathlib import Path

    from workbench.align import parse_signals
    from workbench.corpus import check_language, read_text
    from workbench.errors import InputError, ModelError
    from workbench.project import align_documents, file_document

    inputs = (source, rendering) + ((mt_file,) if mt_file else ())
    check_output(output, inputs)
    src_code, tgt_code = check_language(src_lang), check_language(tgt_lang)
    wanted = parse_signals(signals)
    if fmt is None:
        fmt = "po" if output.endswith(".po") else "links"
    if fmt == "po" and output == "-":
        raise InputError("the po format needs a file name", hint="give -o NAME.po")
    src_doc = file_document(source, src_code, read_text(source))
    tgt_doc = file_document(rendering, tgt_code, read_text(rendering))
    mt: list[str] | None = None
    mt_model: str | None = None
    engine = None
    if mt_file is not None:
        mt = read_text(mt_file).split("\n")
        if mt and mt[-1] == "":
            mt.pop()
        mt_model = f"file {Path(mt_file).name}"
    elif "mt" in wanted or wanted == ("auto",):
        from workbench.translate import find_engine

        try:
            engine = find_engine(src_code, tgt_code)
        except ModelError as exc:
            if "mt" in wanted:
                raise
            click.echo(f"workbench: no MT ({exc.message}); aligning without it", err=True)
    calibration = None
    if data_dir is not None:
        from workbench.align import calibrate

        calibration = calibrate.load(data_dir)
    display = Display("align", quiet=quiet)
    prepared = align_documents(src_doc, tgt_doc, engine=engine, mt=mt, mt_model=mt_model,
                               mt_path=mt_file, mode=mode, signals=signals,
                               presegmented=presegmented, mt_optional="mt" not in wanted,
                               progress=display.progress, calibration=calibration)
    if prepared.mt_skipped is not None:
        click.echo(f"workbench: no MT ({prepared.mt_skipped}); aligning without it", err=True)
    alignment = prepared.alignment
    # said once the result is written: a refused output is then the only line
    how = (f"workbench: signals {alignment.settings['signals']}; mode "
           f"{alignment.settings['mode']}: {alignment.settings['mode-reason']}")
    if fmt == "po":
        def told(report) -> None:
            for line in report.lines(output):
                click.echo(f"workbench: {line}", err=True)

        prepared.write(output, overwrite=overwrite, rebuilt=told)
        click.echo(how, err=True)
        from workbench.wording import counted

        click.echo(f"wrote {output}: {counted(len(alignment.beads), 'bead')}, mode "
                   f"{alignment.settings['mode']}", err=True)
    else:
        body = "".join(f"[{','.join(map(str, b.source))}]:[{','.join(map(str, b.rendering))}]:"
                       f"{b.score:.4f}\n" for b in alignment.beads)
        write_output(output, body, inputs)
        click.echo(how, err=True)
    display.finish(f"{len(prepared.source_sentences):,} + {len(prepared.rendering_sentences):,} "
                   "sentences")


@main.command("translate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--from", "from_code", required=True, metavar="LANG", help="Source language code.")
@click.option("--to", "to_code", required=True, metavar="LANG", help="Target language code.")
@click.option("-o", "--output", default="-", show_default=True, help="Write here instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True,
              help="text: the translated text with the input's paragraphs and line breaks; jsonl: one "
                   "object per sentence (file, index, source_text, translation, start, end, "
                   "paragraph, line, model, model_version; with --tm also origin and the match).")
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
@QUIET_OPTION
def translate_command(files: tuple[str, ...], from_code: str, to_code: str, output: str, fmt: str,
                      beam_size: int, threads: int | None, compute_type: str | None, device: str,
                      cache_dir: str | None, no_cache: bool, use_tm: bool, tm_min: float,
                      data_dir: str, quiet: bool) -> None:
    """Translate FILES (UTF-8 text; none or '-' reads stdin) offline, sentence by sentence.

    With --tm, a sentence the memory holds (exactly, or at --tm-min or above) takes the memory's
    reviewed rendering and only the rest goes to the model; jsonl says which came from where.
    When the memory holds every sentence, no model is needed.
    """
    import json

    from workbench.corpus import check_language, decode_text, read_stream, read_text
    from workbench.errors import ModelError
    from workbench.translate import DocumentTranslation, find_engine

    check_output(output, files)
    source_lang = check_language(from_code)
    memory = None
    if use_tm:
        from workbench.memory import open_memory

        memory = open_memory(data_dir)
    target_lang = check_language(to_code) if use_tm else to_code
    try:
        engine = find_engine(from_code, to_code, cache_dir=cache_dir, threads=threads,
                             compute_type=compute_type, device=device, beam_size=beam_size,
                             cache=not no_cache)
    except ModelError as exc:
        if memory is None:
            raise
        engine, no_model = None, exc  # the memory may hold every sentence
    else:
        engine.load_in_background()  # while the input is read and segmented

    def reader(name: str):
        if name == "-":
            return lambda: decode_text(read_stream(sys.stdin.buffer, "<stdin>"), "<stdin>")
        return lambda: read_text(name)

    job = DocumentTranslation([(name, reader(name)) for name in files or ("-",)], source_lang,
                              memory=memory, target_language=target_lang, tm_min=tm_min)
    display = Display("translate", quiet=quiet)
    if engine is None:
        left = sum(map(len, job.pieces()))
        if left:
            total = sum(len(doc.sentences) for doc in job.documents)
            raise ModelError(f"{no_model.message}; the memory holds {total - left} of the {total} "
                             f"sentences at --tm-min {tm_min:g}, the model is needed for the rest",
                             path=no_model.path, hint=no_model.hint)
        translations: list[str] = []
    elif display.bars:  # a bar needs the number of sentences first
        ready = list(job.pieces())
        counter = display.progress.stage("translate", sum(map(len, ready)))
        translations = engine.translate_pieces(ready, progress=counter)
    else:
        # the model starts on the first paragraphs while the rest is still being segmented
        translations = engine.translate_pieces(job.pieces(), progress=display.progress.stage(
            "translate"))
    docs = job.finish(translations)
    if fmt == "jsonl":
        name, version = (engine.name, engine.version) if engine is not None else (None, None)
        body = "".join(json.dumps(record, ensure_ascii=False) + "\n" for doc in docs
                       for record in doc.records(name, version, memory is not None))
    else:
        body = "".join(doc.layout() for doc in docs)
    write_output(output, body, files)
    display.finish(f"{len(docs)} file{'s' if len(docs) != 1 else ''}")
