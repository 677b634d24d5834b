"""A reviewer process for the concurrency and crash tests: `python -m tests.review.worker`."""

import sys

from dco.review import ReviewQueue


def review_until_empty(path: str, reviewer: str, loop: str = "claim") -> None:
    """Claim and approve variants until none are left, printing each acknowledged id: with
    `loop` "claim", a claim() then an approve() each; with "claims", through queue.claims()."""
    with ReviewQueue(path) as queue:
        if loop == "claims":
            for claimed in queue.claims(reviewer):
                queue.approve(claimed.variant.id, reviewer)
                print(f"ack {claimed.variant.id}", flush=True)
            return
        while (claimed := queue.claim(reviewer)) is not None:
            queue.approve(claimed.variant.id, reviewer)
            print(f"ack {claimed.variant.id}", flush=True)


if __name__ == "__main__":
    review_until_empty(*sys.argv[1:4])
