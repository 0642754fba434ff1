"""Scrapy project: spiders for public TikTok profiles and Facebook pages, and the replay site.

Spiders only request, paginate and call the pure parsers in `crawlers.parsers`; the item pipeline
validates items and appends them to the landing zone.
"""
