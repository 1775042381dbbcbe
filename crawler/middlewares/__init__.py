"""Downloader middlewares of the govarchive crawler."""
