"""Resource props as the analyzer hands them to policies, wrapped as they are read.

The SDK's `unknown_checking_proxy` wraps every nested dict and list of every resource up
front; policies read a few keys of a few types, so wrapping all of it was most of the cost
of evaluating a plan. These proxies are the SDK's own classes (`_DictProxy`, `_ListProxy`),
so policies see the same types, the same `UnknownValueError` (same path and message) when
they read an unknown, and the same object each time they read a key; a nested value is
wrapped the first time it is read. Plan values come as `platformctl.plan` writes them: an
unknown is `[unknown]`, which becomes the SDK's unknown sentinel.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, _DictProxy, _ListProxy, _raise_if_unknown

UNKNOWN_MARK = "[unknown]"  # how platformctl.plan writes an unknown value


def engine_value(value: Any) -> Any:
    """A plan value as the engine hands it over: `[unknown]` -> the SDK's sentinel."""
    return UNKNOWN_STRING_VALUE if isinstance(value, str) and value == UNKNOWN_MARK else value


def proxied(value: Any, path: list[str]) -> Any:
    """`value` at `path` (prop names and list indexes) as the SDK's proxy holds it."""
    if isinstance(value, dict):
        return _LazyDictProxy(value, path)
    if isinstance(value, list):
        return _LazyListProxy(value, path)
    return engine_value(value)


def props_proxy(props: dict[str, Any]) -> Any:
    """A resource's props behind the unknown-checking proxy, as `unknown_checking_proxy`
    returns them (a `_DictProxy`). The plan's dict is never written to."""
    return _LazyDictProxy(props, [])


class _LazyDictProxy(_DictProxy):
    def __init__(self, target: dict[str, Any], path: list[str]) -> None:
        super().__init__(target, path)
        self._plan_value, self._path = target, path
        self._read: dict[Any, Any] = {}

    def _child(self, key: Any) -> Any:
        if key not in self._read:
            self._read[key] = proxied(self._plan_value[key], [*self._path, str(key)])
        return self._read[key]

    def __getitem__(self, key: Any) -> Any:
        if key == "__target":  # the SDK's escape hatch: every value, wrapped, unchecked
            return {k: self._child(k) for k in self._plan_value}
        value = self._read[key] if key in self._read else self._child(key)
        if isinstance(value, str):  # the SDK's unknowns are strings
            _raise_if_unknown(key, value, self._path)
        return value

    def __contains__(self, key: Any) -> bool:
        # Mapping's own `in` reads the value (and raises on an unknown): so does this one,
        # but an absent key is found absent without raising and catching a KeyError.
        if key not in self._plan_value:
            return False
        self[key]
        return True

    def __setitem__(self, key: Any, value: Any) -> None:
        # The SDK's proxy writes to its own copy of the props: so does this one.
        self._plan_value = {**self._plan_value, key: value}
        self._read[key] = value

    def __len__(self) -> int:
        return len(self._plan_value)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._plan_value)


class _LazyListProxy(_ListProxy):
    def __init__(self, target: list[Any], path: list[str]) -> None:
        super().__init__(target, path)
        self._plan_value, self._path = target, path
        self._read: dict[int, Any] = {}

    def _child(self, index: int) -> Any:
        if index not in self._read:
            self._read[index] = proxied(self._plan_value[index], [*self._path, str(index)])
        return self._read[index]

    def __getitem__(self, key: Any) -> Any:
        if key == "__target":
            return [self._child(i) for i in range(len(self._plan_value))]
        self._plan_value[key]  # the list's own IndexError / TypeError for a bad key
        if isinstance(key, slice):  # the SDK returns its wrapped elements, unchecked
            return [self._child(i) for i in range(*key.indices(len(self._plan_value)))]
        index = key if key >= 0 else key + len(self._plan_value)
        value = self._child(index)
        if isinstance(value, str):
            _raise_if_unknown(key, value, self._path)
        return value

    def __len__(self) -> int:
        return len(self._plan_value)
