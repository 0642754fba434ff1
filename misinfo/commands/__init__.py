"""CLI command groups; each module has `register(app)` and is listed in `misinfo.cli.COMMAND_MODULES`."""
