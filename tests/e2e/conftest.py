"""Shared set-up of the end-to-end tests of the pre-commit hook and the CI
recipes in docs/ci.md.

The tests build nothing twice: the pre-commit hook install (`cargo install`,
a release build) and `cargo build --release` share CARGO_TARGET_DIR, which
tests/e2e/run sets. Test modules run in file name order, and
test_1_precommit.py installs the hook before anything asks for the release
binary, so that build is reused rather than repeated.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCS_CI = ROOT / "docs" / "ci.md"


def run(cmd, cwd, env=None, check=None, timeout=900, shell=False):
    """Runs a command and returns the CompletedProcess, with output as text.
    `check` is the exit code expected (None: any)."""
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        shell=shell,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check is not None and proc.returncode != check:
        raise AssertionError(
            f"{cmd!r} in {cwd}: exit {proc.returncode}, expected {check}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


@pytest.fixture(scope="session")
def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")).resolve()


@pytest.fixture(scope="session")
def head_sha():
    """The commit the hook and recipes are tested at: pre-commit and
    `cargo install --git` take a commit, so uncommitted changes are not seen."""
    sha = run(["git", "rev-parse", "HEAD"], ROOT, check=0).stdout.strip()
    dirty = run(
        ["git", "status", "--porcelain", "--untracked-files=no"], ROOT, check=0
    ).stdout
    if dirty:
        print(f"note: testing commit {sha}; uncommitted changes are not part of it")
    return sha


@pytest.fixture(scope="session")
def base_env(tmp_path_factory, target_dir):
    """A clean environment for git, pre-commit and cargo: no user git config,
    pre-commit's cache in a temporary directory, the shared target dir."""
    env = dict(os.environ)
    home = tmp_path_factory.mktemp("pre-commit-home")
    env.update(
        {
            "PRE_COMMIT_HOME": str(home),
            "CARGO_TARGET_DIR": str(target_dir),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "kqlint e2e",
            "GIT_AUTHOR_EMAIL": "e2e@kqlint.invalid",
            "GIT_COMMITTER_NAME": "kqlint e2e",
            "GIT_COMMITTER_EMAIL": "e2e@kqlint.invalid",
            "NO_COLOR": "1",
        }
    )
    # Variables of an outer git or CI run must not leak into the temporary repositories.
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GITHUB_ACTIONS", "TF_BUILD"):
        env.pop(var, None)
    return env


@pytest.fixture(scope="session")
def kqlint_bin(target_dir, base_env):
    """The release kqlint binary of this checkout."""
    proc = run(
        ["cargo", "build", "--release", "--locked", "--bin", "kqlint",
         "--message-format=json-render-diagnostics"],
        ROOT,
        env=base_env,
        check=0,
    )
    for line in proc.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
            if msg["target"]["name"] == "kqlint":
                return Path(msg["executable"])
    raise AssertionError("cargo build did not report the kqlint executable")


@pytest.fixture(scope="session")
def rule_codes(kqlint_bin):
    """The registry: {code: metadata} from `kqlint rules --format json`."""
    out = run([str(kqlint_bin), "rules", "--format", "json"], ROOT, check=0).stdout
    return {r["code"]: r for r in json.loads(out)}


def make_repo(path: Path, env, *trees: Path) -> Path:
    """A git repository at `path` holding copies of the fixture trees, committed."""
    path.mkdir(parents=True, exist_ok=True)
    for tree in trees:
        shutil.copytree(tree, path, dirs_exist_ok=True)
    run(["git", "init", "-q", "-b", "main"], path, env=env, check=0)
    run(["git", "add", "-A"], path, env=env, check=0)
    run(["git", "commit", "-q", "-m", "rules"], path, env=env, check=0)
    return path


def fill_placeholders(text: str, url: str, sha: str) -> str:
    """docs/ci.md's two values to fill in."""
    return text.replace("<kqlint git URL>", url).replace("<commit SHA>", sha)
