"""The bundled offline demo portals: the generated static sites (`sites/`) and their sites file template.

Built by a developer with `python -m tests.docfactory.demo_portals` (test tooling, not installed)."""

from pathlib import Path

SITES_DIR = Path(__file__).parent / "sites"
SITES_TEMPLATE = Path(__file__).parent / "sites.toml.tmpl"
