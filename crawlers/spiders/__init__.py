"""One spider per platform; each crawls one configured source (`-a source=KEY`)."""
