"""The pre-commit hooks of .pre-commit-hooks.yaml, used as a rule repository
uses them: a temporary git repository whose .pre-commit-config.yaml is the
snippet in docs/ci.md, pointing at this repository (its path and HEAD's
commit SHA). pre-commit clones this repository and builds kqlint with
`cargo install` (the `language: rust` hook), in a temporary PRE_COMMIT_HOME.
"""

import os
import re
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT, fill_placeholders, make_repo, run
from recipes import recipe

PRE_COMMIT = str(Path(sys.executable).parent / "pre-commit")
PLACEHOLDER_RULE = FIXTURES / "rule-repo" / "Hunting Queries" / "connections-to-indicator.yaml"
FILLED = {
    '"IP ADDRESS GOES HERE"': '"203.0.113.7"',
    '"DNS ENTRY GOES HERE"': '"cdn.updates-service.net"',
    '"FILENAME GOES HERE"': '"rundll32.exe"',
}
NOT_RULES = ("settings.yaml", "kqlint.yml", ".pre-commit-config.yaml")


def consumer_repo(tmp_path, env, sha, hook_id="kqlint"):
    """The fixture rule repository with docs/ci.md's pre-commit config and,
    as a YAML file that is not a rule, docs/ci.md's GitHub workflow."""
    repo = tmp_path / "rules"
    config = fill_placeholders(recipe("pre-commit"), str(ROOT), sha)
    assert "id: kqlint\n" in config
    config = config.replace("id: kqlint\n", f"id: {hook_id}\n")
    workflow = repo / ".github" / "workflows" / "kqlint.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(recipe("github-actions-sarif"))
    (repo / ".pre-commit-config.yaml").write_text(config)
    return make_repo(repo, env, FIXTURES / "rule-repo")


def pre_commit(repo, env, *args):
    return run([PRE_COMMIT, *args], repo, env=env)


def output(proc):
    return proc.stdout + proc.stderr


def fill(rule: Path):
    text = rule.read_text()
    for template, value in FILLED.items():
        assert template in text
        text = text.replace(template, value)
    rule.write_text(text)


def test_manifest_is_valid_and_matches_the_right_files():
    proc = run([PRE_COMMIT, "validate-manifest", ".pre-commit-hooks.yaml"], ROOT)
    assert proc.returncode == 0, output(proc)
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["kqlint"]["language"] == "rust"
    assert hooks["kqlint-wheel"]["language"] == "python"
    assert hooks["kqlint-system"]["language"] == "system"
    fmt = {k: hooks.pop(k) for k in ("kqlint-fmt", "kqlint-fmt-wheel", "kqlint-fmt-system")}
    assert [h["language"] for h in fmt.values()] == ["rust", "python", "system"]
    for hook in fmt.values():
        assert hook["entry"] == "kqlint fmt"
        assert hook["require_serial"] is True
        files = re.compile(hook["files"])
        for name in ["a.kql", "q/B.CSL", "c.kusto", "Detections/y.YML"]:
            assert files.search(name), name
        for name in ["README.md", "Package/mainTemplate.json", "x.yaml.bak"]:
            assert not files.search(name), name
    for hook in hooks.values():
        assert hook["entry"] == "kqlint check --skip-non-rules"
        assert hook["require_serial"] is True
        files = re.compile(hook["files"])
        for name in ["a.kql", "q/B.CSL", "Hunting Queries/x.yaml", "Detections/y.YML",
                     "README.md", "notes/hunt.markdown", "Package/mainTemplate.json", "rules.bicep"]:
            assert files.search(name), name
        for name in ["x.yaml.bak", "kql", "notes.kqlx", "a.jsonl", "README.mdx"]:
            assert not files.search(name), name


def test_hook_fails_on_an_unfilled_placeholder_and_passes_once_filled(
    tmp_path, base_env, head_sha, request
):
    repo = consumer_repo(tmp_path, base_env, head_sha)
    # The first run installs the hook (a release build of kqlint); only then
    # is the release binary asked for, so that build is reused (conftest.py).
    proc = pre_commit(repo, base_env, "run", "--all-files")
    text = output(proc)
    rule_codes = request.getfixturevalue("rule_codes")
    placeholder_codes = {c for c, m in rule_codes.items() if m["category"] == "placeholder"}
    if not placeholder_codes:
        pytest.skip("kqlint has no placeholder rule yet (`kqlint rules` lists none)")
    assert proc.returncode == 1, text
    assert "kqlint" in text and "Failed" in text, text
    rule = "Hunting Queries/connections-to-indicator.yaml"
    assert rule in text, text
    found = set(re.findall(r"\bKQL\d{3}\b", text))
    assert found & placeholder_codes, f"no placeholder finding in:\n{text}"
    assert "IP ADDRESS GOES HERE" in text, text
    for name in NOT_RULES:
        assert name not in text, f"{name} is not a rule and must not be reported:\n{text}"

    fill(repo / rule)
    proc = pre_commit(repo, base_env, "run", "--all-files", "--verbose")
    text = output(proc)
    assert proc.returncode == 0, text
    assert "Passed" in text and "no problems found" in text, text
    for name in NOT_RULES:
        assert name not in text, text


def test_hook_fails_on_a_markdown_query_with_an_unfilled_placeholder(tmp_path, base_env, head_sha):
    """KQL kept in Markdown: the hook checks the fenced block at its place in
    the .md file; the repository's README (Markdown without KQL) is not
    reported."""
    repo = consumer_repo(tmp_path, base_env, head_sha)
    fill(repo / "Hunting Queries" / "connections-to-indicator.yaml")
    notes = repo / "docs" / "hunting-notes.md"
    notes.parent.mkdir()
    text = (FIXTURES / "mistakes" / "hunting-notes.md").read_text()
    notes.write_text(text)
    run(["git", "add", "-A"], repo, env=base_env, check=0)
    proc = pre_commit(repo, base_env, "run", "--all-files")
    out = output(proc)
    assert proc.returncode == 1, out
    assert "docs/hunting-notes.md:7:21" in out or "hunting-notes.md:7:21" in out, out
    assert "KQL201" in out and "IP ADDRESS GOES HERE" in out, out
    assert "README.md" not in out, out

    notes.write_text(text.replace('"IP ADDRESS GOES HERE"', '"203.0.113.7"'))
    proc = pre_commit(repo, base_env, "run", "--all-files", "--verbose")
    out = output(proc)
    assert proc.returncode == 0, out
    assert "no problems found" in out, out


def test_hook_blocks_a_commit_with_a_syntax_error(tmp_path, base_env, head_sha):
    """The hook as `git commit` runs it: only the staged files are named."""
    repo = consumer_repo(tmp_path, base_env, head_sha)
    fill(repo / "Hunting Queries" / "connections-to-indicator.yaml")
    run(["git", "commit", "-qam", "fill in the template"], repo, env=base_env, check=0)
    proc = pre_commit(repo, base_env, "install")
    assert proc.returncode == 0, output(proc)

    query = repo / "queries" / "failed-connections.kql"
    broken = (FIXTURES / "mistakes" / "queries" / "failed-logons.kql").read_text()
    query.write_text(broken)
    run(["git", "add", str(query)], repo, env=base_env, check=0)
    proc = run(["git", "commit", "-m", "add a query"], repo, env=base_env)
    text = output(proc)
    assert proc.returncode != 0, text
    assert "queries/failed-connections.kql" in text, text
    assert "KQL006" in text and "`summarise` is not a query operator" in text, text
    # Only the staged file was named: the clean files are not in the summary.
    assert "in 1 of 1 file" in text, text

    query.write_text(broken.replace("summarise", "summarize").replace(
        '"ConnectionFailed"', '"ConnectionFailed")'))
    run(["git", "add", str(query)], repo, env=base_env, check=0)
    proc = run(["git", "commit", "-m", "add a query"], repo, env=base_env)
    assert proc.returncode == 0, output(proc)
    assert run(["git", "log", "--oneline"], repo, env=base_env, check=0).stdout.count("\n") == 3


def without_kqlint(path_var: str) -> str:
    """PATH without any directory that holds a kqlint executable."""
    return os.pathsep.join(
        d for d in path_var.split(os.pathsep) if d and not os.access(os.path.join(d, "kqlint"), os.X_OK)
    )


def test_system_hook_runs_the_kqlint_on_path(tmp_path, base_env, head_sha, kqlint_bin):
    repo = consumer_repo(tmp_path, base_env, head_sha, hook_id="kqlint-system")
    (repo / "queries" / "broken.kql").write_text(
        (FIXTURES / "mistakes" / "queries" / "failed-logons.kql").read_text())
    run(["git", "add", "-A"], repo, env=base_env, check=0)

    env = dict(base_env, PATH=without_kqlint(base_env["PATH"]))
    proc = pre_commit(repo, env, "run", "--all-files")
    assert proc.returncode == 1, output(proc)
    assert "Executable `kqlint` not found" in output(proc), output(proc)

    env["PATH"] = f"{kqlint_bin.parent}{os.pathsep}{env['PATH']}"
    proc = pre_commit(repo, env, "run", "--all-files")
    text = output(proc)
    assert proc.returncode == 1, text
    assert "queries/broken.kql" in text and "KQL006" in text, text
    for name in NOT_RULES:
        assert name not in text, text


def test_fmt_hook_formats_changed_queries_and_fails_until_they_are_added(tmp_path, base_env, head_sha, kqlint_bin):
    repo = consumer_repo(tmp_path, base_env, head_sha, hook_id="kqlint-fmt-system")
    messy = repo / "queries" / "messy.kql"
    messy.write_text('SigninLogs|where  ResultType=="0"|project UserPrincipalName,IPAddress\n')
    run(["git", "add", "-A"], repo, env=base_env, check=0)
    env = dict(base_env, PATH=f"{kqlint_bin.parent}{os.pathsep}{base_env['PATH']}")
    proc = pre_commit(repo, env, "run", "--all-files")
    assert proc.returncode == 1, output(proc)
    assert "files were modified by this hook" in output(proc), output(proc)
    assert messy.read_text() == 'SigninLogs\n| where ResultType == "0"\n| project UserPrincipalName, IPAddress\n'
    # the workflow YAML (no query) is left as it was
    assert (repo / ".github" / "workflows" / "kqlint.yml").read_text() == recipe("github-actions-sarif")
    run(["git", "add", "-A"], repo, env=base_env, check=0)
    proc = pre_commit(repo, env, "run", "--all-files")
    assert proc.returncode == 0, output(proc)
