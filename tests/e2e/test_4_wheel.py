"""The kqlint wheel (python/pyproject.toml, maturin `bindings = "bin"`): it
builds, `pip install` of it into a fresh venv gives a working `kqlint` in
under 10 seconds, and pre-commit's `kqlint-wheel` hook (`language: python`)
runs kqlint from it with no Rust toolchain on PATH, compiling nothing.

The hook's clone installs the code-less package of pyproject.toml, whose one
dependency is `kqlint==VERSION`; the test hands pre-commit the built wheel
through `additional_dependencies` (the wheel is not published from here).
The times measured are printed (`pytest -s`)."""

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, fill_placeholders, make_repo, run
from recipes import recipe

MATURIN = str(Path(sys.executable).parent / "maturin")
PRE_COMMIT = str(Path(sys.executable).parent / "pre-commit")


def cargo_version() -> str:
    return tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]["version"]


@pytest.fixture(scope="session")
def wheel(base_env, target_dir):
    """Builds the wheel (a release build; the target directory is shared),
    or takes the one KQLINT_WHEEL names (built already, e.g. by the release
    workflow)."""
    if os.environ.get("KQLINT_WHEEL"):
        return Path(os.environ["KQLINT_WHEEL"]).resolve()
    start = time.monotonic()
    proc = run([MATURIN, "build", "--release", "--locked"], ROOT / "python", env=base_env, timeout=3600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = re.findall(r"Built wheel to (\S+\.whl)", proc.stdout + proc.stderr)
    assert built, proc.stdout + proc.stderr
    print(f"\nwheel built in {time.monotonic() - start:.1f} s: {built[-1]}")
    return Path(built[-1])


def test_versions_agree():
    """The wheel's version is Cargo's; the pre-commit package asks for exactly it."""
    version = cargo_version()
    shim = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert shim["version"] == version
    assert shim["dependencies"] == [f"kqlint=={version}"]
    wheel_project = tomllib.loads((ROOT / "python" / "pyproject.toml").read_text())
    assert wheel_project["project"]["name"] == "kqlint"
    assert wheel_project["tool"]["maturin"]["bindings"] == "bin"


def test_the_wheel_installs_into_a_fresh_venv_and_runs_in_seconds(wheel, tmp_path):
    assert wheel.name.startswith(f"kqlint-{cargo_version()}-py3-none-"), wheel.name
    venv = tmp_path / "venv"
    start = time.monotonic()
    run([sys.executable, "-m", "venv", str(venv)], tmp_path, check=0)
    created = time.monotonic()
    run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "--no-index", str(wheel)],
        tmp_path, check=0)
    version = run([str(venv / "bin" / "kqlint"), "--version"], tmp_path, check=0).stdout
    done = time.monotonic()
    print(f"\nfresh venv {created - start:.1f} s, pip install + kqlint --version {done - created:.1f} s")
    assert version.startswith(f"kqlint {cargo_version()} ("), version
    assert done - start < 10, f"{done - start:.1f} s"


def without_rust(env: dict) -> dict:
    """`env` with no directory on PATH that holds cargo or rustc."""
    env = dict(env)
    keep = [d for d in env["PATH"].split(os.pathsep)
            if d and not any((Path(d) / tool).exists() for tool in ("cargo", "rustc"))]
    env["PATH"] = os.pathsep.join(keep)
    for var in ("CARGO_HOME", "RUSTUP_HOME", "CARGO_TARGET_DIR"):
        env.pop(var, None)
    assert shutil.which("cargo", path=env["PATH"]) is None
    return env


def test_the_python_hook_runs_kqlint_from_the_wheel_without_compiling(wheel, tmp_path, base_env, head_sha):
    repo = tmp_path / "rules"
    config = fill_placeholders(recipe("pre-commit"), str(ROOT), head_sha)
    config = config.replace("id: kqlint\n", f"id: kqlint-wheel\n        additional_dependencies: [{wheel}]\n")
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(config)
    make_repo(repo, base_env, FIXTURES / "rule-repo")
    env = without_rust(base_env)
    start = time.monotonic()
    proc = run([PRE_COMMIT, "install-hooks"], repo, env=env)
    installed = time.monotonic()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run([PRE_COMMIT, "run", "--all-files"], repo, env=env)
    done = time.monotonic()
    text = proc.stdout + proc.stderr
    print(f"\npre-commit (python hook): install {installed - start:.1f} s, run {done - installed:.1f} s")
    # The fixture repository has an unfilled placeholder: kqlint ran and failed the hook.
    assert proc.returncode == 1, text
    assert "Hunting Queries/connections-to-indicator.yaml" in text, text
    assert "IP ADDRESS GOES HERE" in text, text
    assert "Compiling" not in text
