"""A reviewer process for the concurrency and crash tests: `python -m tests.review.worker`."""

import sys

from dco.review import ReviewQueue


def review_until_empty(path: str, reviewer: str) -> None:
    """Claim and approve variants until none are left, printing each acknowledged id."""
    with ReviewQueue(path) as queue:
        while (claimed := queue.claim(reviewer)) is not None:
            queue.approve(claimed.variant.id, reviewer)
            print(f"ack {claimed.variant.id}", flush=True)


if __name__ == "__main__":
    review_until_empty(sys.argv[1], sys.argv[2])
