"""YAML a person writes (config, criteria, codebook): read safely and within limits.

``yaml.safe_load`` builds no objects, but an alias stands for a whole subtree again: nine lines
of anchors and aliases ("billion laughs") give a document of a billion values as soon as
anything walks it (validating it, quoting it in a message, writing it as JSON). The size of the
document with every alias written out is counted on its composed nodes before it is built, in
time linear in the text, and a document past :data:`slrflow.limits.MAX_YAML_VALUES` is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from slrflow import limits


def _expanded_size(root: yaml.Node) -> int | None:
    """Values in the document under ``root`` with aliases written out; None when an alias
    refers to a node it is inside of (a document that never ends)."""
    sizes: dict[int, int | None] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            sizes[key] = 1
            continue
        if children_done:
            counts = [sizes.get(id(child)) for child in children]
            sizes[key] = None if None in counts else 1 + sum(counts)  # type: ignore[arg-type]
            continue
        if key in sizes:
            continue
        sizes[key] = None  # in progress: met again below itself means a loop
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def safe_load(text: str, *, name: str) -> Any:
    """``yaml.safe_load(text)``, refusing a document that aliases make larger than
    :data:`~slrflow.limits.MAX_YAML_VALUES` values or that refers to itself; ``name`` is the
    file as messages name it. Broken YAML raises ``yaml.YAMLError`` as usual."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node)
        if size is None or size > limits.MAX_YAML_VALUES:
            what = "refers to itself" if size is None else f"expands to {size:,} values"
            raise limits.LimitError(
                name,
                f"through anchors and aliases (&name, *name) the document {what}, more than "
                f"the {limits.MAX_YAML_VALUES:,} a settings file may hold; write the values out",
            )
        return loader.construct_document(node)
    except RecursionError:
        raise limits.LimitError(name, "values nested too deep to read") from None
    finally:
        loader.dispose()


def load(path: str | Path) -> Any:
    """:func:`safe_load` of a file."""
    return safe_load(Path(path).read_text("utf-8"), name=str(path))
