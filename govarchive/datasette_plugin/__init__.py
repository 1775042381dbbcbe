"""The project's own Datasette plugin: the researcher's pages (report, compare, search, exports, schema).

The hooks are in hooks.py (so importing the vocabulary or the queries does not import Datasette);
`govarchive serve` loads them through `--plugins-dir load/`, an installed package through its entry point."""
