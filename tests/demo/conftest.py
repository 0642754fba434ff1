"""The demo world at a fixed clock, and a way to run the real `misinfo` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from misinfo.demo.content import DemoWorld, generate
from misinfo.landing import LandingZone

ANCHOR = datetime(2026, 11, 2, 3, 30, tzinfo=UTC)
MISINFO = [sys.executable, "-m", "misinfo.cli"]


@pytest.fixture(scope="session")
def world() -> DemoWorld:
    return generate(ANCHOR)


def run_cli(args: list[str], env: Mapping[str, str], *, timeout: float = 300,
            preexec_fn: Callable[[], Any] | None = None) -> subprocess.CompletedProcess[str]:
    """`misinfo ARGS` in its own process, as an operator (or Airflow) runs it."""
    return subprocess.run([*MISINFO, *args], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=preexec_fn)


def land(home: Path, world: DemoWorld, n: int, *, run_id: str = "drill") -> list[str]:
    """Land the first `n` crawlable demo posts (as the crawlers would); returns their keys."""
    posts = [p for s in world.sources if not s.blocked for p in world.posts[s.key]][:n]
    LandingZone(home).append(posts, run_id=run_id)
    return [p.key for p in posts]


def landed_keys(home: Path) -> set[str]:
    return {line.post.key for line in LandingZone(home).iter_posts() if line.post is not None}


def landing_bytes(home: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in LandingZone(home).files()}
