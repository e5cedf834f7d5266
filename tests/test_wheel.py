"""The wheel is complete: built from the package's files, installed in a fresh virtual environment
outside the repository, `workbench serve` run from elsewhere serves the pair page (its templates)
and the static files - all from the package, none from a checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

import pytest

from factories import PAIR, SRC, TGT, make_data_dir, start_server, stop

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    res = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300,
                         **kwargs)
    assert res.returncode == 0, res.stdout + res.stderr
    return res


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment holding the wheel, built offline from a copy of what the wheel is
    made of (so the checkout gets no build/ directory). The environment sees the project's
    dependencies through a .pth line naming their site-packages; that directory's own .pth files
    (an editable install of the checkout among them) are not run from there."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, src / name)
    for name in ("workbench", "templates"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-q", "-w", tmp / "dist", src, env=env)
    [wheel] = (tmp / "dist").glob("workbench-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    purelib = Path(run(venv / "bin" / "python", "-c",
                       "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (purelib / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n",
                                                      encoding="utf-8")
    run(venv / "bin" / "python", "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel,
        env=env, cwd=tmp)
    return venv


def test_the_installed_wheel_serves_the_pair_page_and_static_files(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = run(installed / "bin" / "python", "-c",
                "import workbench.web as w; print(w.__file__); print(w.TEMPLATES)",
                env=env, cwd=tmp_path).stdout.split()
    package = installed / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / \
        "site-packages" / "workbench"
    assert where == [str(package / "web" / "__init__.py"), str(package / "templates")]
    root = make_data_dir(tmp_path / "data")
    url, proc = start_server(root, tmp_path, command=[str(installed / "bin" / "workbench")],
                             env=env, cwd=tmp_path)
    try:
        with urllib.request.urlopen(f"{url}/pairs/{PAIR}", timeout=30) as res:
            assert res.status == 200
            html = res.read().decode("utf-8")
        with urllib.request.urlopen(f"{url}/static/workbench.css", timeout=30) as res:
            assert res.status == 200
            css = res.read()
    finally:
        stop(proc)
    shown = [re.sub(r"<[^>]+>", "", s).strip()
             for s in re.findall(r'<span class="sent"[^>]*>(.*?)</span>', html, re.S)]
    # every sentence once, bead by bead (s:t0, s0:t1, s1,2:t2,3, s3:t, s:t4, s4:t5)
    assert shown == [TGT[0], SRC[0], TGT[1], SRC[1], SRC[2], TGT[2], TGT[3], SRC[3], TGT[4],
                     SRC[4], TGT[5]]
    assert css == (REPO / "workbench" / "web" / "static" / "workbench.css").read_bytes()


def test_pyproject_lists_every_package_directory():
    """setuptools is given the package list by hand (templates/ is mapped into the package), so a
    new subpackage must be added there or the wheel ships without it."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(root).parts)
               for p in (root / "workbench").rglob("__init__.py") if "__pycache__" not in p.parts}
    assert on_disk - listed == set()
