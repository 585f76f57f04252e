"""The snippets of docs/ci.md. Each is marked `<!-- recipe: NAME -->` on the
line before its fenced code block; every code block there must be one, so
nothing on the page goes untested."""

import re

from conftest import DOCS_CI

MARKED = re.compile(r"<!-- recipe: ([\w-]+) -->\n```\w*\n(.*?)```", re.S)
FENCE = re.compile(r"^```", re.M)


def recipes() -> dict:
    text = DOCS_CI.read_text()
    found = dict(MARKED.findall(text))
    blocks = len(FENCE.findall(text)) // 2
    assert len(found) == blocks, (
        f"docs/ci.md has {blocks} code blocks but {len(found)} marked recipes: "
        "mark each with <!-- recipe: NAME --> and test it"
    )
    return found


def recipe(name: str) -> str:
    return recipes()[name]
