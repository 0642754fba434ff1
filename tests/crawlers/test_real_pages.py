"""The Facebook parser on real logged-out pages other projects saved (tests/fixtures/real/, byte-exact).

Expected values come from what the pages show and, where stated, from the upstream projects' own
tests (kevinzg/facebook-scraper tests/test_get_posts.py, apankowski/garcon PostExtractionStrategyV2Test.kt).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from parsel import Selector

from crawlers.parsers import facebook
from crawlers.replay import route_key
from misinfo.schema import post_from_record
from tests.crawlers.real import REAL, cassette, exchange, git_blob_id, page

AT = "2026-11-02T00:00:00+00:00"
TIMELINE = "facebook-scraper/TestGetPosts.test_smoketest.yaml"
GROUP = "facebook-scraper/TestGetGroupPosts.test_get_group_posts.yaml"
PERMISSIVE = {"MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "ISC", "CC0-1.0", "Unlicense"}
MORE_PREFIX = "https://m.facebook.com/page_content_list_view/more/"


def parse(text: str, url: str, handle: str):
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    result = facebook.parse_page(text, url, source="src", handle=handle, base_url=base, collected_at=AT)
    return result, [post_from_record(r) for r in result.records]


def assert_clean(posts):
    """No folded-text "More" link, no tracking blob, no stray spaces."""
    for p in posts:
        assert "… More" not in p.text and not re.search(r"More(https?:|\s*$)", p.text), p.post_id
        assert "_ft_" not in p.url and "refid" not in p.url and "__tn__" not in p.url and len(p.url) < 160, p.url
        assert all(line == line.strip() for line in p.text.split("\n")), p.post_id


def test_every_real_fixture_has_provenance_and_a_permissive_licence():
    entries = yaml.safe_load((REAL / "PROVENANCE.yaml").read_text(encoding="utf-8"))["fixtures"]
    listed = {e["file"] for e in entries}
    on_disk = {str(p.relative_to(REAL)) for p in REAL.rglob("*") if p.is_file() and p.name not in ("PROVENANCE.yaml", "LICENSE")}
    assert on_disk == listed
    for e in entries:
        assert e["licence"] in PERMISSIVE, e["file"]
        assert e["repository"].startswith("https://github.com/") and e["path"]
        assert re.fullmatch(r"[0-9a-f]{40}", e["commit"]) and re.fullmatch(r"[0-9a-f]{40}", e["snapshot"])
        assert git_blob_id((REAL / e["file"]).read_bytes()) == e["blob"], f"{e['file']} is not byte-exact"
        licence_text = (REAL / e["licence_file"]).read_text(encoding="utf-8")
        assert {"MIT": "MIT License", "Apache-2.0": "Apache License"}.get(e["licence"], e["licence"]) in licence_text


def test_m_page_timeline_script_held_next_link():
    first = exchange(TIMELINE, "https://m.facebook.com/Nintendo/posts/")
    result, posts = parse(first.text(), first.url, "Nintendo")
    assert result.block is None and result.has_more
    assert [p.post_id for p in posts] == ["4194934713924283", "4193752747375813"]
    assert [p.created_at.isoformat() for p in posts] == ["2021-06-05T00:33:32+00:00", "2021-06-04T15:11:22+00:00"]
    rewind = posts[1]
    assert rewind.text.startswith("May 2021 is in the books!") and rewind.text.endswith("with Nintendo Monthly Rewind.")
    assert rewind.url == "https://m.facebook.com/story.php?story_fbid=4193752747375813&id=119240841493711"
    assert (rewind.author_name, rewind.metrics.likes, rewind.metrics.comments) == ("Nintendo", 290, 19)
    # the link held in the page's script is the very request the upstream scraper made for page 2
    more = next(e for e in cassette(TIMELINE) if e.url.startswith(MORE_PREFIX))
    assert route_key(urlsplit(result.next_url).path + "?" + urlsplit(result.next_url).query) == route_key(more.target)
    assert_clean(posts)


def test_m_more_answer_for_loop_json():
    more = next(e for e in cassette(TIMELINE) if e.url.startswith(MORE_PREFIX))
    assert more.text().startswith("for (;;);")
    result, posts = parse(more.text(), more.url, "Nintendo")
    assert result.block is None
    assert [p.post_id for p in posts] == ["4191173794300375", "4188174317933656", "4188053201279101", "4187481031336318"]
    assert posts[0].created_at.isoformat() == "2021-06-03T18:00:35+00:00"
    assert posts[0].text.startswith("Which enemy from a Nintendo game are you most scared of?")
    assert posts[3].text.startswith("🗓 Nintendo at E3 2021: June 15, 9am PT!\n\nTune in for a Nintendo Direct")
    assert (posts[3].metrics.likes, posts[3].metrics.comments) == (3788, 577)
    # its `script` action gives the following page, with the next cursor
    cursor = parse_qs(urlsplit(result.next_url).query)["start_cursor"][0]
    assert result.has_more and result.next_url.startswith(MORE_PREFIX) and '"timeline_cursor":"AQHRa11clnd8' in cursor
    assert_clean(posts)


def test_public_group_every_article_clean():
    group = exchange(GROUP, "https://m.facebook.com/groups/117507531664134/")
    text = group.text()
    result, posts = parse(text, group.url, "groups/117507531664134")
    assert result.block is None
    assert len(posts) == len(re.findall(r"<article[^>]*top_level_post_id", text)) == 21
    assert len({p.post_id for p in posts}) == 21
    # every paragraph of an article read once, a shared post's nested container included
    articles = Selector(text=text).css('article[data-ft*="top_level_post_id"]')
    shown = [sum(1 for p in a.css("p") if "".join(p.css("::text").getall()).strip()) for a in articles]
    assert [len([x for x in p.text.split("\n\n") if x]) for p in posts] == shown
    # the post upstream's test_get_group_posts expects, field for field
    rules = posts[0]
    assert rules.post_id == "1629606003787605"
    assert rules.url == "https://m.facebook.com/groups/southamericansincomputing/permalink/1629606003787605/"
    assert rules.created_at.timestamp() == 1522785762
    assert rules.text == (
        "Hola!, This group is aimed to create opportunities for South American students in Computer Science and "
        "related fields.\n\nHope this will help us to know what we are doing in our work, achievements to be "
        "recognized, increase fairness in our area, and maybe conferences where we might meet.\n\nProfessors and "
        "professionals are also welcomed to share their experiences and to collaborate among us and learn "
        "together.\n\nSome short rules for a happy co-existence:\n1. No business advertisement or spam.\n2. Topics "
        "relevant to Computing, Computer Science, Software Engineering, and Education.\n3. Political and religious "
        "advertisement are not allowed."
    )
    by_id = {p.post_id: p for p in posts}
    # a share: the member's words, then the shared post's, each once; its own time, not the original's
    quebec = by_id["3973450876069761"]
    assert quebec.text == (
        "Descuentos de estudios para estudiar en Canada.\n\n¡Atención! 👩\u200d💻 Quebec ofrece exención o "
        "exoneración de tasas académicas suplementarias para estudios de posgrado ➡ https://bit.ly/3eMKAgc"
    )
    assert quebec.created_at.timestamp() == 1621039676 and (quebec.metrics.likes, quebec.metrics.shares) == (5, 4)
    # folded text: the "… More" link gone, the hidden rest kept
    assert "Estaremos muy felices y agradecidos" in by_id["4027350330679815"].text
    assert by_id["4027350330679815"].hashtags[:2] == ("Datalover", "aniv3rsarioDSRP")
    assert by_id["3991510174263831"].hashtags.count("datalover") == 1
    assert all(p.url == f"https://m.facebook.com/groups/southamericansincomputing/permalink/{p.post_id}/" for p in posts)
    assert result.next_url.startswith("https://m.facebook.com/groups/117507531664134?bac=")
    assert_clean(posts)


GARCON = [
    # file, post id, time, pfbid permalink, text lines, first line, last line, sha256 of the text upstream expects
    ("real-page-a-text-story.html", "1054930068793510", 1673897171,
     "pfbid0L45BV7SFeSH8Gc3SQvCLHC2VUwqPc7bYtJB7kh1EN12T2uBYXYFx7BLDqoGLjDNjl", 76,
     "MENU   17  STYCZNIA", "NALEŚNIKI Z DŻEMEM 15 ZŁ", "d16ab4cbf07a51d2be44f61b87a4e890f9c62987c1dfaeed2ad9938cd87beae2"),
    ("real-page-a-text-story-with-image.html", "1053189635634220", 1673688899,
     "pfbid0NPAVi78AX53SAGKhpdixFZH9GJ7Y54JaqUxr9hR5TNXaYDW29fKcUKHMM5bLPniXl", 2,
     "Nasza nowość sałatka z warzyw korzennych", "z avocado i hummusem", None),
    ("real-page-b-text-story.html", "1416281615991685", 1723573975,
     "pfbid0dcnDxDnFgyioPGkFVUBAmULwCScvaTSzro4YSANJo7NiV9GwMRJqDisVM3hc8c19l", 83,
     "MENU 14 SIERPNIA", "CIASTO Z RABARBAREM 16 ZŁ", "832bec576ff724882de5de868db9790e4a8bda453a94e0b2cfb16cbb38ab8656"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "post_id", "seconds", "pfbid", "lines", "first", "last", "digest"), GARCON, ids=[g[0] for g in GARCON])
def test_www_pages_2023_and_2024(name, post_id, seconds, pfbid, lines, first, last, digest):
    result, posts = parse(page(f"garcon/{name}"), "https://www.facebook.com/people/x/100028295814975/", "x")
    assert result.block is None and result.next_url is None and len(posts) == 1
    post = posts[0]
    assert post.post_id == post_id and post.created_at.timestamp() == seconds
    assert post.url == f"https://www.facebook.com/permalink.php?story_fbid={pfbid}&id=100028295814975"
    assert post.author_name == "Pół Żartem Pół Serio"
    text_lines = post.text.split("\n")
    assert (len(text_lines), text_lines[0], text_lines[-1]) == (lines, first, last)
    assert all(line == line.rstrip() for line in text_lines)
    if digest:
        assert hashlib.sha256(post.text.encode()).hexdigest() == digest


def story_ids(text: str) -> list[str]:
    return [n["post_id"] for p in facebook.serverjs_payloads(text) for n in facebook._walk(p) if n.get("__typename") == "Story"]


def test_www_2023_story_only_in_a_require_lazy_call():
    text = page("garcon/real-page-a-text-story.html")
    attrs, body = next(m.groups() for m in re.finditer(r"<script([^>]*)>(.*?)</script>", text, re.S) if '"post_id":"1054930068793510"' in m.group(2))
    assert "application/json" not in attrs and body.startswith("requireLazy(")  # what the old parser skipped
    assert story_ids(text) == ["1054930068793510"]


def test_www_2024_permalink_and_actor_only_under_comet_sections():
    story = next(
        n for p in facebook.serverjs_payloads(page("garcon/real-page-b-text-story.html"))
        for n in facebook._walk(p) if n.get("__typename") == "Story"
    )  # fmt: skip
    assert "url" not in story and "actors" not in story  # what the old parser read: the actor's profile, no name
    assert facebook._story_permalink(story).startswith("https://www.facebook.com/permalink.php?story_fbid=pfbid0dcnD")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://m.facebook.com/story.php?story_fbid=1&id=2&refid=18&_ft_=qid.6%3Amf&__tn__=%2As", "https://m.facebook.com/story.php?story_fbid=1&id=2"),
        ("https://m.facebook.com/groups/g/permalink/3/?refid=18&_ft_=x#c", "https://m.facebook.com/groups/g/permalink/3/"),
        ("https://www.facebook.com/permalink.php?story_fbid=pfbid0L4&id=100", "https://www.facebook.com/permalink.php?story_fbid=pfbid0L4&id=100"),
        ("https://www.facebook.com/photo/?fbid=10&set=a.9&__cft__[0]=AZ", "https://www.facebook.com/photo/?fbid=10&set=a.9"),
    ],
)
def test_canonical_urls(url, canonical):
    assert facebook.canonical_url(url) == canonical


def test_hashtags_once_whatever_the_case():
    assert facebook.hashtags("#Datalover hi #datalover #DATALOVER #Sáp_nhập #sáp_nhập") == ["Datalover", "Sáp_nhập"]


def test_group_handles_and_paths():
    assert facebook.page_path("groups/117507531664134") == "/groups/117507531664134/"
    assert facebook.page_path("Nintendo") == "/Nintendo/posts/"
