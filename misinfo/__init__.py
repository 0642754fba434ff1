"""misinfo-monitor: early warning of false narratives on public Vietnamese social media pages."""

__version__ = "0.1.0"
