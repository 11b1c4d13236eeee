"""Reading the run pages' HTML in tests: each diagram node's state by its id, step or branch."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Node:
    id: str
    kind: str
    status: str
    step: str | None
    branch: str | None
    text: list[str] = field(default_factory=list)


class _Nodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[Node] = []
        self.open: list[tuple[str, Node | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        node = None
        if tag == "li" and "node" in classes:
            kind = next((c.removeprefix("node-") for c in classes if c.startswith("node-")), "")
            node = Node(found.get("id") or "", kind, found.get("data-status") or "", found.get("data-step"),
                        found.get("data-branch"))
            self.nodes.append(node)
        if tag not in ("br", "img", "input", "meta", "link"):
            self.open.append((tag, node))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            opened, _node = self.open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, node in self.open:
            if node is not None and data.strip():
                node.text.append(data.strip())


def nodes(html: str) -> list[Node]:
    """Every diagram node of a run page (or of a live fragment), in document order."""
    parser = _Nodes()
    parser.feed(html)
    return parser.nodes


def steps(html: str) -> dict[str, str]:
    """Step label -> state (the last node of a label wins: labels repeat only in IF arms)."""
    return {node.step: node.status for node in nodes(html) if node.kind == "step" and node.step is not None}


def branches(html: str) -> dict[str, str]:
    return {node.branch: node.status for node in nodes(html) if node.kind == "branch" and node.branch}


def kinds(html: str, kind: str) -> list[Node]:
    return [node for node in nodes(html) if node.kind == kind]
