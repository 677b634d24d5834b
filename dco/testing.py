"""Testing helpers, public API: the deterministic fake provider and its scripting.

>>> from dco.testing import FakeProvider
>>> fake = FakeProvider().then_rate_limit(retry_after=0).then_invalid_json()
>>> len(fake.calls)
0
"""

from dco.providers.fake import FakeProvider, write_reply

__all__ = ["FakeProvider", "write_reply"]
