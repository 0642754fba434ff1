"""The few named errors the system raises, each mapped to one action.

Entry points (CLI, DAG tasks, dashboard) catch `MisinfoError` and show its message in one line;
anything else is a bug and may show a traceback.
"""

from __future__ import annotations


class MisinfoError(Exception):
    """An expected failure with a message meant for a person (no traceback)."""

    exit_code = 1


class ConfigError(MisinfoError):
    """Bad settings or config files: fix the named variable or file and run again."""

    exit_code = 2


class QueryError(MisinfoError):
    """A search query that cannot be understood: tell the user, search nothing."""

    exit_code = 2


class StoreUnavailable(MisinfoError):
    """The store cannot be reached or written: stop, keep the landing zone, retry later."""

    exit_code = 3


class InvalidRecord(MisinfoError):
    """One item failed validation: quarantine it with this reason, go on with the rest."""


class CrawlBlocked(MisinfoError):
    """A source answered with a block (captcha, login wall, 403/429, robots.txt): report, exit non-zero."""

    exit_code = 4


class DeliveryError(MisinfoError):
    """The digest could not be delivered: record nothing, so the next run retries."""

    exit_code = 5
