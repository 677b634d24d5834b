"""A reviewer on a machine whose clock is off: `python -m tests.review.skewed QUEUE SECONDS`.

Its clock reads SECONDS behind the true time (ahead, below 0). It claims a variant and prints
the variant's id, then how far the queue's server says its clock is ahead of this machine's.
"""

import sys
import time

_true_time = time.time
time.time = lambda: _true_time() - float(sys.argv[2])  # before dco reads it, as a machine's

from dco.review import ReviewQueue  # noqa: E402 (imported on the clock set above)


def claim_on_a_clock_behind(location: str) -> None:
    with ReviewQueue(location) as queue:
        claimed = queue.claim("behind")
        print(claimed.variant.id if claimed else "none", flush=True)
        print(f"{queue.checkup().clock_ahead:.1f}", flush=True)


if __name__ == "__main__":
    claim_on_a_clock_behind(sys.argv[1])
