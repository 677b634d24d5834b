"""A property worked out on first use and kept on the instance, without a lock.

`functools.cached_property` takes one lock for every instance of a class on each first use
before Python 3.12 (which dropped it): several microseconds, and a generation plan has six,
worked out for each of a campaign's briefs. Work out what this decorates from the instance
alone, so that two threads that race on it each get the same value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class once(Generic[T]):  # lower case: a decorator, as `property` is
    """`functools.cached_property`, lock-free: the value is set in the instance's `__dict__`,
    where later lookups find it before this descriptor."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> once[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | once[T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value
