"""The offline runner's props proxy reads exactly like the SDK's `unknown_checking_proxy`:
same classes, same values, same `UnknownValueError`s (message and path), same errors for
absent keys and indexes; it only wraps nested values when they are read."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi_policy.proxy import (
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    _DictProxy,
    _ListProxy,
    unknown_checking_proxy,
)

from platformctl.policy_props import UNKNOWN_MARK, props_proxy

LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.just(UNKNOWN_MARK),
                   st.text(max_size=5))
TREES = st.recursive(LEAVES, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.dictionaries(st.text(max_size=4), children, max_size=4)), max_leaves=20)
PROPS = st.dictionaries(st.text(max_size=4), TREES, max_size=5)


def sdk_proxy(props: dict[str, Any]) -> Any:
    """What the engine's analyzer builds: every unknown mark a sentinel, proxied eagerly."""
    def engine(value: Any) -> Any:
        if value == UNKNOWN_MARK:
            return UNKNOWN_STRING_VALUE
        if isinstance(value, dict):
            return {k: engine(v) for k, v in value.items()}
        if isinstance(value, list):
            return [engine(v) for v in value]
        return value
    return unknown_checking_proxy(engine(props))


def read(proxy: Any, key: Any) -> Any:
    try:
        return ("value", observe(proxy[key]))
    except UnknownValueError as error:
        return ("unknown", error.message, error.props)
    except (KeyError, IndexError, TypeError) as error:
        return ("error", type(error).__name__)


def contains(proxy: Any, key: Any) -> Any:
    try:
        return key in proxy
    except UnknownValueError as error:  # `in` reads the value, as Mapping's `in` does
        return ("unknown", error.message)


def observe(value: Any) -> Any:
    """Everything a policy can learn by reading `value` the ways policies read props."""
    if isinstance(value, _DictProxy):
        keys = list(value)
        return ("dict", len(value), keys, [read(value, k) for k in keys],
                read(value, "absent-key"), [contains(value, k) for k in [*keys, "absent-key"]])
    if isinstance(value, _ListProxy):
        return ("list", len(value), [read(value, i) for i in range(len(value))],
                read(value, -1), read(value, len(value)), read(value, "0"))
    assert not isinstance(value, dict | list), "a nested value escaped the proxy"
    return ("leaf", value)


@given(PROPS)
def test_reads_are_the_sdk_proxy_reads(props: dict[str, Any]) -> None:
    assert observe(props_proxy(props)) == observe(sdk_proxy(props))


@given(PROPS)
def test_the_plan_is_never_written_to(props: dict[str, Any]) -> None:
    before = repr(props)
    proxy = props_proxy(props)
    observe(proxy)
    proxy["added"] = "value"
    assert proxy["added"] == "value" and "added" in list(proxy)
    assert repr(props) == before


def test_a_nested_value_is_one_object_read_after_read() -> None:
    proxy = props_proxy({"tags": {"a": "b"}, "rules": [{"x": 1}]})
    assert proxy["tags"] is proxy["tags"]
    assert proxy["rules"][0] is proxy["rules"][-1]


def test_an_unknown_deep_inside_names_its_path() -> None:
    proxy = props_proxy({"rules": [{"destination": {"bucket": UNKNOWN_MARK}}]})
    with pytest.raises(UnknownValueError) as raised:
        proxy["rules"][0]["destination"]["bucket"]
    assert raised.value.props == ["rules", "0", "destination", "bucket"]
    assert raised.value.message == sdk_message(proxy_path=raised.value.props)


def sdk_message(proxy_path: list[str]) -> str:
    sdk = sdk_proxy({"rules": [{"destination": {"bucket": UNKNOWN_MARK}}]})
    try:
        sdk["rules"][0]["destination"]["bucket"]
    except UnknownValueError as error:
        assert error.props == proxy_path
        return error.message
    raise AssertionError("the SDK proxy must raise on an unknown")
