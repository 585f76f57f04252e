"""A newcomer's first commands, as the README gives them: the first one
builds kqlint and shows real findings in the bundled examples (and no
finding in the examples their README calls clean); the install command
installs a working binary."""

import re
import shutil
import subprocess

import pytest

from conftest import ROOT, run

EXAMPLES = ROOT / "fixtures" / "examples"


def try_it_commands():
    """The commands of the README's first shell block, comments dropped."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert block, "the README has no ```sh block"
    return [line.split("#")[0].strip() for line in block[1].splitlines() if line.split("#")[0].strip()]


def example_table():
    """{path: what kqlint should find} from fixtures/examples/README.md."""
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \|$", (EXAMPLES / "README.md").read_text(), re.M)
    assert rows, "fixtures/examples/README.md has no table of files"
    return dict(rows)


@pytest.fixture(scope="module")
def first_command_output(base_env, kqlint_bin):
    commands = try_it_commands()
    assert commands[0] == "cargo run --release -- check fixtures/examples", commands
    assert commands[1] == "scripts/ci" and (ROOT / "scripts" / "ci").stat().st_mode & 0o111
    # The release build is already there (kqlint_bin): this only runs it.
    env = dict(base_env)
    proc = run(["bash", "-c", commands[0]], ROOT, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stdout


def test_first_command_shows_findings_and_a_summary(first_command_output):
    out = first_command_output
    assert re.search(r"^kqlint: \d+ errors?, .* in \d+ of \d+ files\.$", out, re.M), out
    assert "help:" in out, "findings come with advice"


def example_cases():
    return [pytest.param(path, expected, id=path) for path, expected in sorted(example_table().items())]


@pytest.mark.parametrize("path,expected", example_cases())
def test_each_example_gets_what_its_readme_promises(first_command_output, base_env, kqlint_bin, path, expected):
    assert (EXAMPLES / path).is_file(), path
    proc = run([str(kqlint_bin), "check", "--format", "concise", str(EXAMPLES / path)], ROOT, env=base_env)
    if expected.startswith("nothing"):
        assert proc.returncode == 0 and proc.stdout == "", proc.stdout
    else:
        assert proc.stdout, f"{path} should show {expected}"
        # exit status 1 when an error is among the findings, 0 for warnings only
        assert proc.returncode == (1 if "error[" in proc.stdout else 0), proc.stdout
        assert f"fixtures/examples/{path}" in first_command_output


def install_commands():
    """The commands of the README's "Install" block, comments dropped."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Install\n\n```sh\n(.*?)```", readme, re.S)
    assert block, "the README has no Install section with a ```sh block"
    return [line.split("#")[0].strip() for line in block[1].splitlines() if line.split("#")[0].strip()]


def test_cargo_install_path_installs_a_working_binary(tmp_path, base_env):
    """README: `cargo install --locked --path .` (the target directory is
    shared, so this reuses the release build)."""
    command = install_commands()[0]
    assert command == "cargo install --locked --path .", command
    proc = run([*command.split(), "--root", str(tmp_path)], ROOT, env=base_env)
    assert proc.returncode == 0, proc.stderr
    kqlint = tmp_path / "bin" / "kqlint"
    version = run([str(kqlint), "--version"], ROOT, env=base_env, check=0).stdout
    assert version.startswith("kqlint "), version
    help_text = run([str(kqlint), "check", "--help"], ROOT, env=base_env, check=0).stdout
    assert "Examples:" in help_text
