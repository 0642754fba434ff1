"""Real Scrapy crawls of real captured Facebook pages, served by the replay server at their own paths."""

from __future__ import annotations

import pytest

from crawlers import replay
from crawlers.replay import Reply
from misinfo.crawl import crawl_source
from misinfo.errors import CrawlBlocked
from tests.crawlers.conftest import crawl_settings, landed
from tests.crawlers.real import cassette_routes, page

pytestmark = [pytest.mark.slow, pytest.mark.integration]

PERMISSION = "test fixture: real pages replayed on a local server"


def source(handle: str) -> dict[str, object]:
    return {"key": "fb-real", "platform": "facebook", "handle": handle, "obey_robots": False, "permission": PERMISSION}


def test_m_page_timeline_follows_its_real_next_page_answer(tmp_path, serve):
    routes = cassette_routes("facebook-scraper/TestGetPosts.test_smoketest.yaml")
    server = serve({"/robots.txt": replay.robots_txt(True), **routes})
    # the cassette holds two timeline pages, as upstream's test (pages=2) asked for
    s = crawl_settings(tmp_path, [source("Nintendo")], facebook_base_url=server.url, crawl_max_pages=2)

    report = crawl_source(s, "fb-real")

    assert report.status == "ok" and report.pages == 2 and report.items == 6, report
    assert [h.split("?")[0] for h in server.hits if h != "/robots.txt"] == ["/Nintendo/posts/", "/page_content_list_view/more/"]
    posts = {p.post_id: p for p in landed(s)}
    assert list(posts) == ["4194934713924283", "4193752747375813",  # page 1
                           "4191173794300375", "4188174317933656", "4188053201279101", "4187481031336318"]  # its `more` answer
    quiz = posts["4191173794300375"]
    assert quiz.created_at.isoformat() == "2021-06-03T18:00:35+00:00" and quiz.url.endswith("story_fbid=4191173794300375&id=119240841493711")
    assert quiz.text.startswith("Which enemy from a Nintendo game are you most scared of?") and quiz.author_name == "Nintendo"


def test_public_group_lands_every_article_with_clean_text(tmp_path, serve):
    server = serve({"/robots.txt": replay.robots_txt(True), **cassette_routes("facebook-scraper/TestGetGroupPosts.test_get_group_posts.yaml")})
    # the group's next page (#m_more_item) was not recorded: one page
    s = crawl_settings(tmp_path, [source("groups/117507531664134")], facebook_base_url=server.url, crawl_max_pages=1)

    report = crawl_source(s, "fb-real")

    assert report.status == "ok" and report.items == 21 and server.hits[-1] == "/groups/117507531664134/"
    posts = {p.post_id: p for p in landed(s)}
    assert len(posts) == 21
    for p in posts.values():
        assert "… More" not in p.text and "_ft_" not in p.url and p.source == "fb-real"
        assert p.url == f"https://m.facebook.com/groups/southamericansincomputing/permalink/{p.post_id}/"
    assert posts["1629606003787605"].text.startswith("Hola!, This group is aimed to create opportunities")
    assert posts["3973450876069761"].text.count("Quebec ofrece") == 1


@pytest.mark.parametrize(
    ("name", "post_id", "created"),
    [
        ("real-page-a-text-story.html", "1054930068793510", "2023-01-16T19:26:11+00:00"),  # 2023: requireLazy ServerJS
        ("real-page-b-text-story.html", "1416281615991685", "2024-08-13T18:32:55+00:00"),  # 2024: comet_sections only
    ],
)
def test_www_pages_land_their_post(tmp_path, serve, name, post_id, created):
    # a saved page without its recorded URL: served where the spider asks for the page's posts
    server = serve({"/robots.txt": replay.robots_txt(True), "/100028295814975/posts/": Reply(200, page(f"garcon/{name}"))})
    s = crawl_settings(tmp_path, [source("100028295814975")], facebook_base_url=server.url)

    report = crawl_source(s, "fb-real")

    assert report.status == "ok" and report.items == 1
    (post,) = landed(s)
    assert (post.post_id, post.created_at.isoformat(), post.author_name) == (post_id, created, "Pół Żartem Pół Serio")
    assert post.url.startswith("https://www.facebook.com/permalink.php?story_fbid=pfbid0") and post.url.endswith("&id=100028295814975")


def test_first_page_that_parses_but_holds_no_post_is_a_block_for_a_new_source(tmp_path, serve):
    server = serve({"/robots.txt": replay.robots_txt(True), **replay.facebook_site("trangtintuc", [], layout="www")})
    s = crawl_settings(tmp_path, [source("trangtintuc")], facebook_base_url=server.url)

    with pytest.raises(CrawlBlocked) as err:
        crawl_source(s, "fb-real")

    assert err.value.report.blocks == {"layout_changed": 1} and "held no posts" in str(err.value)
