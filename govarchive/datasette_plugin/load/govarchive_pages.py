"""Loaded by Datasette's --plugins-dir (as a bare file, not a package module): registers the project's
plugin package, unless its entry point already did."""

from datasette.plugins import pm

import govarchive.datasette_plugin.hooks as plugin

if not pm.is_registered(plugin):
    pm.register(plugin, name="govarchive.datasette_plugin.hooks")
