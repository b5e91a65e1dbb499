"""The package as a user installs it (issue 14): data inside the wheel and the sdist, the example study
run from an installed wheel outside the clone, offline, with the numbers of the clone's run.

The slow tests build the sdist and, from it, the wheel (``python -m build --no-isolation`` in a small
build venv that gets setuptools and build from the package index, as ``pip install -e .`` gets its
build backend), then install the wheel with ``--no-deps`` into a fresh venv under the temporary folder.
That venv reaches this venv's third-party packages through a ``.pth`` file holding a bare path: Python
adds the folder to ``sys.path`` without processing the ``.pth`` files in it, so the editable install of
this clone (a finder loaded by its own ``.pth``) stays out, and ``import eventstudy`` there resolves to
the installed wheel (checked). Every command runs from a folder outside the clone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import eventstudy
from eventstudy import paths
from eventstudy.cli import main
from eventstudy.errors import DataError
from tests.conftest import ROOT, STARGATE

SEED = ROOT / "seeds" / "stargate-techflow-fr.txt"
EMBEDDED = ("data", "seeds", "notebooks")
#: Left behind when the working tree is copied for a build: local folders at the top, caches everywhere.
TOP_LEVEL_SKIP = {"build", "dist", "reports"}


def _skip(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == ROOT
    return {n for n in names if n.startswith(".") or n == "__pycache__" or n.endswith((".pyc", ".egg-info"))
            or (top and n in TOP_LEVEL_SKIP)}
#: Numbers of a run: identical bytes between the clone's run and the wheel's run.
SAME_BYTES = ("results.csv", "abnormal_returns.csv", "tests.csv", "diagnostics.csv", "warnings.csv")
#: Tables that also name the snapshot's files (whose folder differs between the two layouts).
SAME_BUT_PATHS = ("securities.csv", "dropped.csv", "claims.csv")


def _files(folder: Path) -> list[str]:
    """Every file under ``folder`` as a POSIX path relative to it (no caches, no hidden files)."""
    out = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            out.append(rel.as_posix())
    return sorted(out)


def _run(cmd: list, cwd: Path, env: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


# --- fast tests: the layout of this clone -------------------------------------------------------


def test_an_editable_install_reads_the_clone_folders():
    assert paths.shipped_data_dir() == ROOT / "data"
    assert paths.seeds_dir() == ROOT / "seeds" and paths.notebooks_dir() == ROOT / "notebooks"
    assert paths.examples()["stargate"] == STARGATE


def test_the_example_study_finds_its_article_in_the_shipped_seeds():
    from eventstudy import load_study

    spec = load_study(paths.example_study("stargate"))
    assert spec.article == paths.seeds_dir() / "stargate-techflow-fr.txt"


def test_the_clone_snapshot_stays_writable_and_eventstudy_data_overrides(tmp_path, monkeypatch):
    assert not paths.is_read_only_data(paths.snapshot_dir("1d"))
    assert paths.writable_snapshot_dir("4h") == ROOT / "data" / "prices_4h"
    assert paths.is_read_only_data(Path(eventstudy.__file__).parent / "_embedded" / "data" / "prices")
    monkeypatch.setenv("EVENTSTUDY_DATA", str(tmp_path))
    assert paths.data_dir() == tmp_path and paths.snapshot_dir("1d") == tmp_path / "prices"
    assert paths.examples()["stargate"] == STARGATE  # examples are the shipped ones
    monkeypatch.setenv("EVENTSTUDY_DATA", str(tmp_path / "absent"))
    with pytest.raises(DataError, match="EVENTSTUDY_DATA=.*is not a folder"):
        paths.data_dir()


def test_writing_commands_refuse_an_installed_snapshot_before_any_download(monkeypatch, capsys):
    monkeypatch.setattr(paths, "is_read_only_data", lambda path: True)  # as in an installed wheel
    assert main(["data", "fetch", "ORCL", "--start", "2024-01-02", "--end", "2024-02-01", "--to", "snapshot"]) == 2
    err = capsys.readouterr().err
    assert "part of the installed eventstudy package" in err and "--snapshot DIR" in err and "fetching" not in err


def test_run_lists_and_names_the_examples(capsys):
    assert main(["run", "--list-examples"]) == 0
    out = capsys.readouterr().out
    assert "stargate" in out and "Stargate AI-infrastructure announcement" in out and str(STARGATE) in out
    assert main(["run"]) == 2
    assert "--example stargate" in capsys.readouterr().err
    assert main(["run", "--example", "stargat"]) == 2
    assert "did you mean 'stargate'" in capsys.readouterr().err
    assert main(["run", str(STARGATE), "--example", "stargate"]) == 2
    assert "not both" in capsys.readouterr().err


# --- slow tests: the built sdist and wheel ------------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("wheel")


@pytest.fixture(scope="module")
def clean_env(work) -> dict:
    """Environment of the commands: nothing from this clone, no user site, no way out to the network."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "EVENTSTUDY_DATA", "VIRTUAL_ENV"}}
    proxy = "http://127.0.0.1:9"  # any HTTP(S) attempt fails at once: the example runs offline
    env.update(PYTHONNOUSERSITE="1", MPLBACKEND="Agg", EVENTSTUDY_CACHE=str(work / "cache"),
               HTTP_PROXY=proxy, HTTPS_PROXY=proxy, http_proxy=proxy, https_proxy=proxy)
    return env


@pytest.fixture(scope="module")
def clone_run(work, clean_env):
    """The clone's own run of the Stargate study (pinned), started in the background."""
    out = work / "clone-report"
    proc = subprocess.Popen([sys.executable, "-m", "eventstudy", "run", str(STARGATE), "--pinned", "--quiet",
                             "--out", str(out)], cwd=ROOT, env=clean_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield proc, out
    if proc.poll() is None:
        proc.kill()


@pytest.fixture(scope="module")
def built(work, clone_run) -> dict[str, Path]:
    """The sdist, and the wheel built from it (python -m build), from a copy of the working tree."""
    src, dist, env_dir = work / "src", work / "dist", work / "build-env"
    shutil.copytree(ROOT, src, ignore=_skip)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}  # reaches the index
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", env_dir], check=True)  # this pip installs into it
    py = env_dir / "bin" / "python"
    proc = _run([sys.executable, "-m", "pip", "--python", py, "install", "-q", "setuptools>=77", "build"], work, env,
                timeout=300)
    assert proc.returncode == 0, f"could not install the build backend from the package index:\n{proc.stderr}"
    proc = _run([py, "-m", "build", "--no-isolation", "--outdir", dist, src], work, env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (sdist,), (wheel,) = dist.glob("*.tar.gz"), dist.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel, "src": src}


@pytest.fixture(scope="module")
def venv(work, built) -> Path:
    """A fresh venv with the wheel installed (--no-deps) and this venv's third-party packages on its path."""
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    py = venv / "bin" / "python"
    proc = _run([sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps", "--no-index",
                 built["wheel"]], work, dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work,
                     dict(os.environ)).stdout.strip())
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "_eventstudy_test_deps.pth").write_text("".join(f"{p}\n" for p in ours), encoding="utf-8")
    return venv


@pytest.fixture(scope="module")
def user_folder(work) -> Path:
    folder = work / "user"
    folder.mkdir()
    return folder


@pytest.mark.slow
def test_the_wheel_holds_the_code_and_all_the_data(built):
    names = set(zipfile.ZipFile(built["wheel"]).namelist())
    src = built["src"]
    for folder in EMBEDDED:
        expected = {f"eventstudy/_embedded/{folder}/{f}" for f in _files(src / folder)}
        if folder == "notebooks":
            expected = {n for n in expected if n.endswith((".ipynb", "__init__.py"))}
        assert expected and expected <= names, f"missing from the wheel: {sorted(expected - names)}"
    for must in ("data/gazetteer.toml", "data/prices/manifest.json", "data/prices/PROVENANCE.md",
                 "data/prices_4h/manifest.json", "data/prices_4h/PROVENANCE.md", "data/studies/stargate.toml",
                 "seeds/stargate-techflow-fr.txt", "notebooks/stargate.ipynb"):
        assert f"eventstudy/_embedded/{must}" in names
    code = {f"eventstudy/{f}" for f in _files(src / "eventstudy")}
    assert code <= names, f"missing from the wheel: {sorted(code - names)}"
    assert {"eventstudy/py.typed", "eventstudy/report/templates/report.html.j2"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    meta = zipfile.ZipFile(built["wheel"]).read(
        f"eventstudy_toolkit-{eventstudy.__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {eventstudy.__version__}\n" in meta


@pytest.mark.slow
def test_the_sdist_holds_the_data_folders_and_the_tests(built):
    with tarfile.open(built["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    src = built["src"]
    for folder in (*EMBEDDED, "eventstudy", "tests"):
        expected = {f"{folder}/{f}" for f in _files(src / folder)}
        assert expected <= names, f"missing from the sdist: {sorted(expected - names)[:10]}"
    assert {"pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"} <= names


@pytest.mark.slow
def test_the_installed_package_is_the_wheel_not_the_clone(venv, user_folder, clean_env):
    probe = ("import json, importlib.metadata as md, eventstudy, eventstudy.paths as p\n"
             "from eventstudy.report.notebook import default_notebook\n"
             "print(json.dumps({'file': eventstudy.__file__, 'data': str(p.data_dir()), 'seeds': str(p.seeds_dir()),"
             " 'notebook': str(default_notebook()), 'version': eventstudy.__version__,"
             " 'dist': md.version('eventstudy-toolkit'), 'read_only': p.is_read_only_data(p.snapshot_dir())}))")
    proc = _run([venv / "bin" / "python", "-c", probe], user_folder, clean_env)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    package = venv.resolve() / "lib"
    for key in ("file", "data", "seeds", "notebook"):
        assert Path(got[key]).resolve().is_relative_to(package), (key, got[key])
        assert not Path(got[key]).resolve().is_relative_to(ROOT), (key, got[key])
    assert Path(got["notebook"]).is_file()
    assert got["version"] == got["dist"] == eventstudy.__version__
    assert got["read_only"] is True


@pytest.mark.slow
def test_the_example_study_runs_offline_from_the_wheel_with_the_clone_numbers(venv, user_folder, clean_env,
                                                                            clone_run):
    proc = _run([venv / "bin" / "eventstudy", "run", "--example", "stargate", "--quiet"], user_folder, clean_env)
    assert proc.returncode == 0, proc.stderr
    out = user_folder / "reports" / "stargate"
    assert str(out) in proc.stdout
    assert (out / "report.html").stat().st_size > 10_000
    assert "Stargate AI-infrastructure announcement" in (out / "report.html").read_text(encoding="utf-8")
    clone, clone_out = clone_run
    _, err = clone.communicate(timeout=300)
    assert clone.returncode == 0, err
    for name in SAME_BYTES:
        assert (out / name).read_bytes() == (clone_out / name).read_bytes(), name
    installed_data = _run([venv / "bin" / "python", "-c", "import eventstudy.paths as p; print(p.data_dir())"],
                          user_folder, clean_env).stdout.strip()
    for name in SAME_BUT_PATHS:
        ours = (out / name).read_text(encoding="utf-8").replace(installed_data, "<data>")
        theirs = (clone_out / name).read_text(encoding="utf-8").replace(str(ROOT / "data"), "<data>")
        assert ours == theirs, name
    assert "ORCL" in (out / "results.csv").read_text(encoding="utf-8")


@pytest.mark.slow
def test_extract_runs_on_the_shipped_seed(venv, user_folder, clean_env, capsys):
    seed = _run([venv / "bin" / "python", "-c", "import eventstudy.paths as p; print(p.seeds_dir())"],
                user_folder, clean_env).stdout.strip()
    seed = Path(seed) / SEED.name
    assert seed.is_file() and seed.read_bytes() == SEED.read_bytes()
    proc = _run([venv / "bin" / "eventstudy", "extract", seed], user_folder, clean_env)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert main(["extract", str(SEED)]) == 0
    want = json.loads(capsys.readouterr().out)
    assert got.pop("source") == str(seed) and want.pop("source") == str(SEED)
    assert got == want
    assert got["events"][0]["date"] == "2025-01-21"


@pytest.mark.slow
def test_data_import_refuses_the_installed_snapshot_and_takes_a_folder(venv, user_folder, clean_env):
    csv = user_folder / "ORCL.csv"
    csv.write_bytes((ROOT / "data" / "prices" / "ORCL.csv").read_bytes())
    cli = venv / "bin" / "eventstudy"
    proc = _run([cli, "data", "import", csv], user_folder, clean_env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "part of the installed eventstudy package" in proc.stderr and "--snapshot DIR" in proc.stderr
    proc = _run([cli, "data", "import", csv, "--snapshot", user_folder / "snap"], user_folder, clean_env)
    assert proc.returncode == 0, proc.stderr
    assert (user_folder / "snap" / "ORCL.csv").is_file() and (user_folder / "snap" / "manifest.json").is_file()
