"""Shared set-up of the language server's end-to-end tests: the kqlint binary and a workspace written at test
time from the seed documents in ../shared (never copied into the repository)."""

import os
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def kqlint_path() -> str:
    path = os.environ.get("KQLINT")
    if not path:
        raise RuntimeError("set KQLINT to the kqlint binary (tests/lsp/run.sh does)")
    return str(Path(path).resolve())


def shared_dir() -> Path:
    d = Path(os.environ.get("KQLINT_SHARED", REPO.parent / "shared"))
    if not (d / "seeds").is_dir():
        raise RuntimeError(f"the shared seed documents are missing: {d / 'seeds'} (set KQLINT_SHARED)")
    return d


def seed_text(n: int) -> str:
    [path] = sorted((shared_dir() / "seeds").glob(f"{n:03}_*.txt"))
    return path.read_text(encoding="utf-8")


def seed_yaml(n: int) -> str:
    """The rule YAML of a seed page (as kqlint_testkit::seed_yaml does): the text after
    "Analytic Rule Definition" up to the next section."""
    text = seed_text(n)
    start = text.index("\nAnalytic Rule Definition\n") + len("\nAnalytic Rule Definition\n")
    end = min(i for i in (text.find(s, start) for s in ("\nRequired Data Sources\n", "\nMITRE ATT&CK Context\n")) if i >= 0)
    return text[start:end].strip("\n").rstrip() + "\n"


BROKEN_KQL = 'DeviceNetworkEvents\n| where (RemoteIP == "1.2.3.4"\n| project Timestamp, DeviceName\n'


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A rule repository: the seed rule as published, the same rule with a syntax error in its query, a broken
    .kql file, and a YAML file that is not a rule."""
    rules = tmp_path / "rules"
    rules.mkdir()
    rule = seed_yaml(0)
    (rules / "Network footprint.yaml").write_text(rule, encoding="utf-8")
    broken = re.sub(r"InitiatingProcessFileName =~ FILENAME", "InitiatingProcessFileName =~ (FILENAME", rule, count=1)
    assert broken != rule, "the seed rule changed: update the test"
    (rules / "Network footprint (broken).yaml").write_text(broken, encoding="utf-8")
    (tmp_path / "broken.kql").write_text(BROKEN_KQL, encoding="utf-8")
    (tmp_path / "workflow.yaml").write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n", encoding="utf-8")
    return tmp_path
