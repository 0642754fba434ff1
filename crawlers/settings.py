"""Scrapy settings: polite by default, tuned from `misinfo.settings` (the MISINFO_* variables).

This module is the Scrapy entry point's configuration, so it reads the environment once here.
Turning throttling off (`MISINFO_CRAWL_THROTTLE=0`) is meant for the local replay server only.
"""

from crawlers.browser import BROWSER_ARGS
from misinfo.settings import load_settings

_s = load_settings()

BOT_NAME = "misinfo"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = _s.user_agent
ROBOTSTXT_OBEY = True  # a source may opt out only with a permission note (misinfo.sources)

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = _s.crawl_concurrency
DOWNLOAD_DELAY = _s.crawl_delay if _s.crawl_throttle else 0
DOWNLOAD_TIMEOUT = 60
AUTOTHROTTLE_ENABLED = _s.crawl_throttle
AUTOTHROTTLE_START_DELAY = max(_s.crawl_delay, 1.0)
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = _s.crawl_retries
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = _s.crawl_backoff
RETRY_BACKOFF_MAX = 300.0

COOKIES_ENABLED = False  # no logins, no sessions
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

HTTPCACHE_ENABLED = _s.crawl_httpcache  # development only: a cache would hide count changes
HTTPCACHE_DIR = str(_s.home / "httpcache")
HTTPCACHE_EXPIRATION_SECS = 3600

# Browser mode (scrapy-playwright): its download handler is installed by the TikTok spider only for
# sources that may need it, and only requests with meta["playwright"] go through Chromium. It needs
# Twisted's asyncio reactor (Scrapy's default, pinned here because browser mode depends on it).
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {"executable_path": _s.crawl_browser_path, "headless": True, "args": BROWSER_ARGS}
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 1
PLAYWRIGHT_PROCESS_REQUEST_HEADERS = "crawlers.browser.honest_headers"
PLAYWRIGHT_ABORT_REQUEST = "crawlers.browser.skip_heavy"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {"crawlers.pipelines.LandingZonePipeline": 300}
EXTENSIONS = {"crawlers.extensions.CrawlHealth": 500}

# misinfo-specific knobs the spiders read through crawler.settings
MISINFO_HOME = str(_s.home)
MISINFO_SOURCES = str(_s.sources)
MISINFO_TIKTOK_BASE_URL = _s.tiktok_base_url
MISINFO_FACEBOOK_BASE_URL = _s.facebook_base_url
MISINFO_MAX_PAGES = _s.crawl_max_pages
MISINFO_OVERLAP_HOURS = _s.crawl_overlap_hours
MISINFO_RETENTION_DAYS = _s.retention_days
MISINFO_BROWSER_PATH = _s.crawl_browser_path
MISINFO_BROWSER_WAIT = _s.crawl_browser_wait
