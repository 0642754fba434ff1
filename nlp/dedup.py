"""Near-duplicate groups: the same text pasted by many accounts is one copy-paste campaign.

MinHash signatures (datasketch; CRC32 as the base hash: stable across processes and fast) over word pairs of the folded text, without hashtags, links and
handles (a repost with extra hashtags is still a copy), banded for LSH with the band/row split
datasketch picks for the threshold. The bands and groups live in a small SQLite file under
`MISINFO_HOME/state`, written in one transaction per batch, so a post processed today joins the
group its copies started days ago, across processes. A group's id comes from its first member's
key (`g-<hash>`): stable whatever order later copies arrive in.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

THRESHOLD = 0.5  # estimated Jaccard similarity of word pairs above which two posts are copies
NUM_PERM = 64
MIN_WORDS = 6  # shorter texts ("ok", "😂") are never grouped: they match each other by accident

_WORD_RE = re.compile(r"\w+", re.UNICODE)
SCHEMA_VERSION = 2  # bump when the tables change; an older state file is rebuilt, not misread

_SCHEMA = """
CREATE TABLE IF NOT EXISTS groups (seq INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, grp TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bands (bkey BLOB NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS bands_lookup ON bands (bkey, seq);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def group_id(first_key: str) -> str:
    return "g-" + hashlib.sha1(first_key.encode("utf-8")).hexdigest()[:12]


def shingles(folded: str) -> set[bytes]:
    """Word pairs of a folded text (hashtags/URLs already removed by `normalize`)."""
    words = _WORD_RE.findall(folded)
    if len(words) < MIN_WORDS:
        return set()
    return {f"{a} {b}".encode() for a, b in zip(words, words[1:], strict=False)}


class DedupIndex:
    """Assigns each post a copy-paste group id; persistent when given a path."""

    def __init__(self, path: Path | None = None, *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM):
        from datasketch import MinHash, MinHashLSH

        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        # one MinHash reused (cleared) per text: its permutations are built once, not per post
        self._minhash = MinHash(num_perm=num_perm, hashfunc=zlib.crc32)
        self.b, self.r = lsh.b, lsh.r
        self.num_perm = num_perm
        # the earliest post sharing any band with this one
        self._query = "SELECT MIN(seq) FROM bands WHERE bkey IN (" + ",".join("?" * self.b) + ")"
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path) if path else ":memory:", timeout=60, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        if self._conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            # state from another layout (or none yet): it is derived, so start it afresh
            self._conn.executescript("DROP TABLE IF EXISTS groups; DROP TABLE IF EXISTS bands; DROP TABLE IF EXISTS meta;")
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        params = f"{threshold}:{num_perm}:{MIN_WORDS}:bigram:crc32"
        row = self._conn.execute("SELECT value FROM meta WHERE name='params'").fetchone()
        if row is None:
            self._conn.execute("INSERT INTO meta VALUES ('params', ?)", (params,))
        elif row[0] != params:  # other parameters: old bands mean nothing; keep the group ids
            self._conn.execute("DELETE FROM bands")
            self._conn.execute("UPDATE meta SET value=? WHERE name='params'", (params,))

    def _bands(self, sets: Sequence[set[bytes]]) -> list[list[bytes] | None]:
        """LSH band keys per shingle set (None for texts too short to group)."""
        out: list[list[bytes] | None] = []
        m = self._minhash
        for s in sets:
            if not s:
                out.append(None)
                continue
            m.clear()
            m.update_batch(s)
            hv = np.asarray(m.hashvalues, dtype=np.uint64)
            out.append([bytes([i]) + hv[i * self.r : (i + 1) * self.r].tobytes() for i in range(self.b)])
        return out

    def assign(self, docs: Sequence[tuple[str, str]]) -> list[str]:
        """Group ids for `(key, folded_text)` pairs, same order; copies within the batch group too."""
        bands = self._bands([shingles(text) for _, text in docs])
        out: list[str] = []
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                pending: dict[bytes, int] = {}  # this batch's bands, written in one go at the end
                for (key, _), doc_bands in zip(docs, bands, strict=True):
                    row = cur.execute("SELECT grp FROM groups WHERE key=?", (key,)).fetchone()
                    if row is not None:
                        out.append(row[0])
                        continue
                    grp = None
                    if doc_bands is not None:
                        seqs = [s for s in (pending.get(h) for h in doc_bands) if s is not None]
                        stored = cur.execute(self._query, doc_bands).fetchone()[0]
                        if stored is not None:
                            seqs.append(stored)
                        if seqs:
                            grp = cur.execute("SELECT grp FROM groups WHERE seq=?", (min(seqs),)).fetchone()[0]
                    grp = grp or group_id(key)
                    cur.execute("INSERT INTO groups (key, grp) VALUES (?, ?)", (key, grp))
                    seq = cur.lastrowid
                    if doc_bands is not None and seq is not None:
                        for h in doc_bands:
                            pending.setdefault(h, seq)
                    out.append(grp)
                cur.executemany("INSERT INTO bands VALUES (?, ?)", pending.items())
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return out

    def group_of(self, key: str) -> str | None:
        row = self._conn.execute("SELECT grp FROM groups WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self._conn.close()
