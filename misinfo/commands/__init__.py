"""CLI command groups: every module here has `register(app)` and is picked up by `misinfo.cli`."""
