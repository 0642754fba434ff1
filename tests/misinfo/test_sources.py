"""The sources file: valid entries load, every mistake is one ConfigError naming entry and field."""

from __future__ import annotations

import pytest

from misinfo.errors import ConfigError
from misinfo.settings import CONFIG_DIR
from misinfo.sources import get_source, load_sources


def write(tmp_path, text):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sources_file_is_valid():
    sources = load_sources(CONFIG_DIR / "sources.yaml")
    assert sources and all(s.obey_robots for s in sources)


def test_valid_entries_and_defaults(tmp_path):
    path = write(tmp_path, """
- {key: tt-a, platform: tiktok, handle: "@tin.tuc"}
- key: fb-b
  platform: facebook
  handle: trangtin
  enabled: false
  obey_robots: false
  permission: "Thư cho phép của quản trị trang, 2026-10-01"
  label: Trang tin
""")
    a, b = load_sources(path)
    assert (a.handle, a.enabled, a.obey_robots, a.permission) == ("tin.tuc", True, True, None)
    assert (b.enabled, b.obey_robots, b.label) == (False, False, "Trang tin")
    assert get_source([a, b], "fb-b") is b


def test_hashtag_and_search_sources_and_modes(tmp_path):
    path = write(tmp_path, """
- {key: tt-tag, platform: tiktok, kind: hashtag, handle: "#sapnhaptinh", mode: browser}
- {key: tt-search, platform: tiktok, kind: search, query: '  "sáp nhập tỉnh"   tin giả '}
- {key: tt-a, platform: tiktok, handle: tin.tuc, mode: http}
""")
    tag, search, profile = load_sources(path)
    assert (tag.kind, tag.handle, tag.mode, tag.target) == ("hashtag", "sapnhaptinh", "browser", "#sapnhaptinh")
    assert (search.kind, search.query, search.mode, search.handle) == ("search", '"sáp nhập tỉnh" tin giả', "auto", "")
    assert search.target == '"sáp nhập tỉnh" tin giả'
    assert (profile.kind, profile.mode, profile.target) == ("profile", "http", "@tin.tuc")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- {key: x, platform: tiktok, kind: search}", "query: required for a search source"),
        ("- {key: x, platform: tiktok, kind: search, query: a, handle: b}", "query: required for a search source (and no handle)"),
        ("- {key: x, platform: tiktok, kind: hashtag}", "handle: Field required for a hashtag source"),
        ("- {key: x, platform: tiktok, handle: a, query: b}", "query: only for search sources"),
        ("- {key: x, platform: facebook, kind: hashtag, handle: a}", "hashtag and search sources, and browser mode, are for TikTok only"),
        ("- {key: x, platform: facebook, handle: a, mode: browser}", "are for TikTok only"),
        ("- {key: x, platform: tiktok, handle: a, mode: selenium}", "mode: Input should be 'http', 'browser' or 'auto'"),
        ("- {key: x, platform: tiktok, handle: a, obey_robots: false}", "entry 1 (key 'x'): permission: required when obey_robots is false"),
        ("- {key: x, platform: instagram, handle: a}", "entry 1 (key 'x'): platform: Input should be 'tiktok' or 'facebook'"),
        ("- {key: ok, platform: tiktok, handle: a}\n- {key: 'Bad Key', platform: tiktok, handle: a}", "entry 2 (key 'Bad Key'): key:"),
        ("- {key: x, platform: tiktok}", "entry 1 (key 'x'): handle: Field required"),
        ("- {key: x, platform: tiktok, handle: 'https://tiktok.com/@a'}", "handle: must be a bare profile"),
        ("- {key: x, platform: tiktok, handle: a, colour: red}", "colour: Extra inputs are not permitted"),
        ("- {key: x, platform: tiktok, handle: groups/123}", "handle: must be a bare profile"),
        ("- {key: x, platform: facebook, handle: 'groups/123/posts/9'}", "or groups/<id or name> for a public Facebook group"),
        ("- {key: x, platform: facebook, handle: 'groups/a b'}", "handle: must be a bare profile"),
        ("- {key: x, platform: tiktok, handle: a}\n- {key: x, platform: facebook, handle: b}", "entry 2: duplicate key 'x'"),
        ("- just a string", "entry 1: expected a mapping"),
        ("key: x", "expected a list of sources"),
        ("- {key: x, platform: tiktok, handle: a\n- oops", "not valid YAML at line"),
    ],
)
def test_bad_sources_name_the_entry_and_field(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_sources(path)
    assert expected in str(err.value) and str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_public_facebook_groups_by_id_or_name(tmp_path):
    path = write(tmp_path, """
- {key: g1, platform: facebook, handle: groups/117507531664134}
- {key: g2, platform: facebook, handle: "/groups/southamericansincomputing/"}
""")
    assert [s.handle for s in load_sources(path)] == ["groups/117507531664134", "groups/southamericansincomputing"]


def test_missing_file_and_unknown_key(tmp_path):
    with pytest.raises(ConfigError, match="sources file not found.*MISINFO_SOURCES"):
        load_sources(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="unknown source 'zz' \\(known: a\\)"):
        get_source(load_sources(write(tmp_path, "- {key: a, platform: tiktok, handle: h}")), "zz")
