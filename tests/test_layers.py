"""The layers contract in pyproject.toml covers every package of ours, so that a new package
cannot slip past it: `lint-imports` (run by scripts/test.sh) checks only the modules it names."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return [name.strip() for layer in contract["layers"] for name in layer.split("|")]


def _modules(package: str) -> list[str]:
    """Every module of a top-level package, as dotted names (migrations are history, not code)."""
    found = []
    for path in (ROOT / package).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append(".".join(parts))
    return found


def _covered(module: str, layers: list[str]) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in layers)


def test_every_module_of_ours_is_in_a_layer():
    layers = _layers()
    roots = {"balint", "members", "groups", "sessions"}
    modules = [m for root in sorted(roots) for m in _modules(root)]
    # Package roots that only hold layers (their own __init__ is empty) need no layer of their own.
    uncovered = [m for m in modules if m not in roots and not _covered(m, layers)]
    assert uncovered == []


def test_the_package_roots_hold_no_code():
    for root in ("sessions",):
        assert (ROOT / root / "__init__.py").read_text().strip() == ""
