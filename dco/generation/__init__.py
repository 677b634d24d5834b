"""Write: N variants of copy for a brief, fitted to the customer's stage and the channel.

`plan` fixes everything before the first call, `pipeline` asks, checks and repairs without any
I/O of its own, `run` drives it through a provider (`generate`, `agenerate`) and `batch` does so
for many briefs at once.
"""

from dco.generation.batch import BatchFailure, BatchResult, agenerate_many, generate_many
from dco.generation.pipeline import Discarded, GenerationResult, Spend
from dco.generation.run import agenerate, generate

__all__ = [
    "BatchFailure",
    "BatchResult",
    "Discarded",
    "GenerationResult",
    "Spend",
    "agenerate",
    "agenerate_many",
    "generate",
    "generate_many",
]  # fmt: skip
