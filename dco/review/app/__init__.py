"""The terminal review app (Textual): work a queue of variants by keyboard."""

from dco.review.app.app import ReviewApp, create_app

__all__ = ["ReviewApp", "create_app"]
