"""The bundled offline demo portals: builder (`build.py`) and the generated static sites (`sites/`)."""

from pathlib import Path

SITES_DIR = Path(__file__).parent / "sites"
SITES_TEMPLATE = Path(__file__).parent / "sites.toml.tmpl"
