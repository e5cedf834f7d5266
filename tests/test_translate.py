"""The translation engine on real Argos packages: install, list, remove, translate, pivot, cache.

The packages are the tiny models in tests/fixtures (see scripts/build_test_model.py): ru->en
transliterates Cyrillic into Latin letters, en->de writes Latin text in capitals (same weights,
task chosen by the target prefix <upper>). Every test installs them into its own packages directory.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from conftest import EN_DE_PACKAGE, RU_EN_PACKAGE
from workbench.errors import InputError, ModelError
from workbench.translate import (
    Engine, EngineOptions, PackageEngine, PivotEngine, TranslationCache, find_engine, find_route,
    install_hint, install_package, installed_packages, remove_package,
)

PHRASES = {
    "Юрий Гагарин": "Yuriy Gagarin",
    "Валентина Терешкова": "Valentina Tereshkova",
    "Москва, 21 сентября 1961 года.": "Moskva, 21 sentyabrya 1961 goda.",
    "Щукин и Жуков": "Shchukin i Zhukov",
}


def test_install_lists_the_package_with_its_metadata(ru_en_model, argos_dir: Path) -> None:
    (pkg,) = installed_packages()
    assert pkg == ru_en_model
    assert (pkg.name, pkg.from_code, pkg.to_code, pkg.version) == ("translate-ru_en", "ru", "en", "1.0")
    assert (pkg.from_name, pkg.to_name, pkg.tokenizer, pkg.target_prefix) == (
        "Russian", "English", "sentencepiece", "")
    assert pkg.path == argos_dir / "translate-ru_en-test-1_0"
    assert pkg.description.startswith("A tiny character-level Transformer")
    assert sorted(p.name for p in pkg.path.iterdir()) == [
        "README.md", "metadata.json", "model", "sentencepiece.model"]
    # no staging directory left behind; the lock file serialises installs between processes
    assert sorted(p.name for p in argos_dir.iterdir()) == [
        ".workbench-packages.lock", "translate-ru_en-test-1_0"]


def test_engine_translates_a_batch_exactly(ru_en_model, tmp_path: Path) -> None:
    engine = find_engine("ru", "en", cache_dir=tmp_path / "c")
    assert isinstance(engine, PackageEngine) and isinstance(engine, Engine)
    assert (engine.from_code, engine.to_code, engine.name, engine.version) == (
        "ru", "en", "translate-ru_en", "1.0")
    assert engine.label == "translate-ru_en 1.0"
    assert engine.translate(list(PHRASES)) == list(PHRASES.values())


def test_blank_repeated_and_wrapped_sentences(ru_en_model, tmp_path: Path) -> None:
    engine = find_engine("ru", "en", cache_dir=tmp_path / "c")
    assert engine.translate([]) == []
    assert engine.translate(["", "  \n", "Юрий\nГагарин", "Юрий Гагарин", " Юрий  Гагарин "]) == [
        "", "", "Yuriy Gagarin", "Yuriy Gagarin", "Yuriy Gagarin"]


def test_target_prefix_package_translates_and_strips_its_prefix(ru_en_de_models, tmp_path: Path) -> None:
    _, en_de = ru_en_de_models
    assert en_de.target_prefix == "<upper>"
    engine = find_engine("en", "de", cache_dir=tmp_path / "c")
    assert engine.translate(["Yuriy Gagarin", "Moskva, 21 sentyabrya."]) == [
        "YURIY GAGARIN", "MOSKVA, 21 SENTYABRYA."]


def test_pivot_chains_two_packages(ru_en_de_models, tmp_path: Path) -> None:
    ru_en, en_de = ru_en_de_models
    assert find_route("ru", "de") == [ru_en, en_de]
    engine = find_engine("ru", "de", cache_dir=tmp_path / "c")
    assert isinstance(engine, PivotEngine)
    assert (engine.from_code, engine.to_code) == ("ru", "de")
    assert (engine.name, engine.version) == ("translate-ru_en+translate-en_de", "1.0+1.0")
    assert engine.legs == 2
    seen = []
    out = engine.translate(["Юрий Гагарин", "Щукин и Жуков"], progress=lambda d, t: seen.append((d, t)))
    assert out == ["YURIY GAGARIN", "SHCHUKIN I ZHUKOV"]
    assert seen[-1] == (4, 4) and seen == sorted(seen)
    # the direct pair still takes one package
    assert isinstance(find_engine("ru", "en", cache_dir=tmp_path / "c"), PackageEngine)


def test_pivot_translates_pieces_in_order_as_the_translate_command_hands_them(
        ru_en_de_models, tmp_path: Path) -> None:
    engine = find_engine("ru", "de", cache_dir=tmp_path / "c")
    engine.load_in_background()
    pieces = iter([["Юрий Гагарин"], [], ["Щукин и Жуков", "", "Юрий Гагарин"]])
    assert engine.translate_pieces(pieces) == ["YURIY GAGARIN", "SHCHUKIN I ZHUKOV", "",
                                               "YURIY GAGARIN"]


def test_missing_pair_names_pair_installed_packages_and_install_command(ru_en_model) -> None:
    with pytest.raises(ModelError) as err:
        find_engine("ru", "fr")
    msg = str(err.value)
    assert msg == (
        "no translation model for ru → fr (installed: ru→en (translate-ru_en 1.0)) "
        "(install one with: workbench models install PATH/translate-ru_fr.argosmodel, "
        "or with network access: argospm update && argospm install translate-ru_fr)")
    assert install_hint("ru", "fr") in msg


def test_missing_pair_with_nothing_installed_names_the_directory(argos_dir: Path) -> None:
    with pytest.raises(ModelError, match=f"no models are installed in {argos_dir}"):
        find_engine("ru", "en")
    with pytest.raises(ModelError, match="same"):
        find_engine("ru", "ru")


def test_remove_package(ru_en_de_models, argos_dir: Path) -> None:
    removed = remove_package("ru", "en")
    assert removed.name == "translate-ru_en"
    assert [p.name for p in installed_packages()] == ["translate-en_de"]
    assert not (argos_dir / "translate-ru_en-test-1_0").exists()
    with pytest.raises(ModelError, match=r"no installed package translates ru → en \(installed: en→de"):
        remove_package("ru", "en")


def test_reinstall_replaces_the_package_for_the_same_pair(ru_en_model, tmp_path: Path) -> None:
    # the same pair under another directory name and a newer version: an upgrade
    upgraded = tmp_path / "upgrade.argosmodel"
    with zipfile.ZipFile(RU_EN_PACKAGE) as src, zipfile.ZipFile(upgraded, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("metadata.json"):
                meta = json.loads(data)
                meta["package_version"] = "1.1"
                data = json.dumps(meta).encode()
            dst.writestr(item.filename.replace("test-1_0", "test-1_1"), data)
    pkg = install_package(upgraded)
    assert [(p.name, p.version, p.path.name) for p in installed_packages()] == [
        ("translate-ru_en", "1.1", "translate-ru_en-test-1_1")]
    assert pkg.version == "1.1"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_install_refuses_broken_archives_and_leaves_nothing(argos_dir: Path, tmp_path: Path) -> None:
    not_zip = tmp_path / "not_zip.argosmodel"
    not_zip.write_text("hello")
    with pytest.raises(ModelError, match="not an Argos package"):
        install_package(not_zip)
    with pytest.raises(InputError, match="no such file"):
        install_package(tmp_path / "missing.argosmodel")
    escaping = _zip(tmp_path / "escaping.argosmodel", {"pkg/metadata.json": b"{}", "pkg/../evil": b"x"})
    with pytest.raises(ModelError, match="escapes the package directory"):
        install_package(escaping)
    two_tops = _zip(tmp_path / "two_tops.argosmodel", {"a/metadata.json": b"{}", "b/x": b"x"})
    with pytest.raises(ModelError, match="exactly one top directory, found 2"):
        install_package(two_tops)
    no_meta = _zip(tmp_path / "no_meta.argosmodel", {"pkg/model/model.bin": b"x"})
    with pytest.raises(ModelError, match="no pkg/metadata.json"):
        install_package(no_meta)
    no_model = _zip(tmp_path / "no_model.argosmodel", {
        "pkg/metadata.json": json.dumps({"from_code": "ru", "to_code": "en"}).encode(),
        "pkg/sentencepiece.model": b"x"})
    with pytest.raises(ModelError, match=r"no CTranslate2 model \(model/model.bin\)"):
        install_package(no_model)
    assert [p.name for p in argos_dir.iterdir()] == [".workbench-packages.lock"]
    assert installed_packages() == []


def test_second_run_comes_from_the_cache_without_loading_the_model(ru_en_model, tmp_path: Path) -> None:
    first = find_engine("ru", "en", cache_dir=tmp_path / "c")
    assert first.translate(list(PHRASES)) == list(PHRASES.values())
    again = find_engine("ru", "en", cache_dir=tmp_path / "c")
    assert again.translate(list(PHRASES)[::-1]) == list(PHRASES.values())[::-1]
    assert again._translator is None  # nothing was loaded: every sentence was cached
    with sqlite3.connect(tmp_path / "c" / "translations.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM translations").fetchone() == (len(PHRASES),)
    # other decoding options are another key; threads are not (they cannot change the output)
    greedy = find_engine("ru", "en", cache_dir=tmp_path / "c", beam_size=1)
    assert greedy.model_key() != first.model_key()
    assert find_engine("ru", "en", cache_dir=tmp_path / "c", threads=1).model_key() == first.model_key()
    # no cache at all: the model runs
    uncached = find_engine("ru", "en", cache=False)
    assert uncached.translate(["Юрий Гагарин"]) == ["Yuriy Gagarin"]
    assert uncached._translator is not None


def test_cache_is_keyed_by_model_and_sentence(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "c")
    cache.put_many("m1", {"a": "A", "b": "B"})
    cache.put_many("m2", {"a": "X"})
    assert cache.get_many("m1", ["a", "b", "c"]) == {"a": "A", "b": "B"}
    assert cache.get_many("m2", ["a", "b"]) == {"a": "X"}
    many = {f"s{i}": f"t{i}" for i in range(1200)}  # more than one IN (...) chunk
    cache.put_many("m3", many)
    assert cache.get_many("m3", list(many)) == many


def test_unusable_cache_directory_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot use the translation cache"):
        TranslationCache(blocker / "sub")


def test_options_for_the_machine_and_overrides() -> None:
    import ctranslate2

    opts = EngineOptions().resolved()
    assert opts.device == "cpu" and opts.intra_threads == 1 and opts.inter_threads >= 1
    supported = ctranslate2.get_supported_compute_types("cpu")
    assert opts.compute_type == ("int8" if "int8" in supported else "default")
    custom = EngineOptions(compute_type="float32", inter_threads=3, intra_threads=2).resolved()
    assert (custom.compute_type, custom.inter_threads, custom.intra_threads) == ("float32", 3, 2)
    with pytest.raises(ModelError, match="unknown device 'tpu'"):
        EngineOptions(device="tpu").resolved()
    with pytest.raises(ModelError, match="compute type 'int3' is not supported on cpu"):
        EngineOptions(compute_type="int3").resolved()


def test_route_prefers_direct_then_english_pivot(ru_en_de_models) -> None:
    ru_en, en_de = ru_en_de_models
    assert find_route("ru", "en") == [ru_en]
    assert find_route("de", "ru") == []
    assert find_route("en", "ru") == []


@pytest.mark.slow
def test_engine_output_equals_argos_own_translation_path(ru_en_de_models) -> None:
    """Argos's apply_packaged_translation (its per-paragraph path, given one sentence and a
    sentencizer that keeps it whole) and the engine agree on both packages, prefix included."""
    import ctranslate2
    from argostranslate.package import Package
    from argostranslate.translate import apply_packaged_translation

    class Whole:
        def split_sentences(self, text: str) -> list[str]:
            return [text]

    for pkg, sentences in ((ru_en_de_models[0], list(PHRASES)),
                           (ru_en_de_models[1], list(PHRASES.values()))):
        engine = PackageEngine(pkg, EngineOptions(compute_type="float32"))
        translator = ctranslate2.Translator(str(pkg.path / "model"), compute_type="float32")
        argos_pkg = Package(pkg.path)
        theirs = [apply_packaged_translation(argos_pkg, s, translator, Whole(), 1)[0].value
                  for s in sentences]
        assert engine.translate(sentences) == theirs


def test_install_of_the_second_fixture(argos_dir: Path) -> None:
    pkg = install_package(EN_DE_PACKAGE)
    assert (pkg.name, pkg.target_prefix, pkg.from_name, pkg.to_name) == (
        "translate-en_de", "<upper>", "English", "German")


def test_a_broken_package_directory_is_named(ru_en_model, argos_dir: Path) -> None:
    (argos_dir / "leftover").mkdir()
    with pytest.raises(ModelError, match=f"{argos_dir / 'leftover'}: package has no metadata.json"):
        installed_packages()
    (argos_dir / "leftover" / "metadata.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(ModelError, match="unreadable metadata.json"):
        find_engine("ru", "en")


def test_pieces_are_translated_in_order_with_repeats_blanks_and_cached_sentences(ru_en_model,
                                                                                  tmp_path: Path) -> None:
    engine = find_engine("ru", "en", cache_dir=tmp_path / "c")
    assert engine.translate(["Щукин и Жуков"]) == ["Shchukin i Zhukov"]  # cached from here on
    seen = []
    pieces = iter([["Юрий Гагарин", "", "Щукин и Жуков"], [], ["Юрий  Гагарин", "Валентина Терешкова"]])
    out = engine.translate_pieces(pieces, progress=lambda d, t: seen.append((d, t)))
    assert out == ["Yuriy Gagarin", "", "Shchukin i Zhukov", "Yuriy Gagarin", "Valentina Tereshkova"]
    assert seen == [(1, 3), (3, 3)]  # one was cached; two were translated (and written) together
    with sqlite3.connect(tmp_path / "c" / "translations.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM translations").fetchone() == (3,)
