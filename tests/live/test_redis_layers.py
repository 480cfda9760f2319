"""The Redis channel layers of cmrnet.live.layers against the real Redis (127.0.0.1:6379, DB 1, a prefix
of these tests): the two failures bench/signalling.py showed with channels_redis as shipped, and a
message's round trip through each layer. `.ci/run` starts Redis when it is not running."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.exceptions import MaxConnectionsError

from cmrnet.live.layers import RedisChannelLayer, RedisPubSubLayer
from tests.live.test_redis_signalling import redis_url  # noqa: F401 (fixture)


def _prefix() -> str:
    return f"cmrnet-layer-test-{uuid.uuid4().hex[:8]}"


def test_a_quiet_channel_outlasts_the_blocking_pop(redis_url):  # noqa: F811
    """redis-py 8 reads replies with a 5 s timeout and channels_redis blocks 5 s in BZPOPMIN: a consumer
    whose channel stayed quiet for five seconds got redis TimeoutError (and its WebSocket was closed)."""
    layer = RedisChannelLayer(hosts=[redis_url], prefix=_prefix())
    assert layer.socket_timeout > layer.brpop_timeout

    async def scenario():
        channel = await layer.new_channel()
        with pytest.raises(asyncio.TimeoutError):  # nothing arrived: our deadline, not a Redis error
            await asyncio.wait_for(layer.receive(channel), layer.brpop_timeout + 1.5)
        await layer.send(channel, {"type": "late.message"})
        assert (await asyncio.wait_for(layer.receive(channel), 10))["type"] == "late.message"
        await layer.flush()

    asyncio.run(scenario())


def test_a_burst_waits_for_a_connection_instead_of_failing(redis_url):  # noqa: F811
    """More concurrent layer calls than the pool holds: they queue for a connection (redis-py's plain pool
    raised MaxConnectionsError past 100, which closed the consumers)."""
    layer = RedisChannelLayer(hosts=[redis_url], prefix=_prefix(), pool_size=5, capacity=1000)

    async def scenario():
        channel = await layer.new_channel()
        try:
            await asyncio.gather(*(layer.send(channel, {"type": "burst", "n": n}) for n in range(150)))
        except MaxConnectionsError:  # pragma: no cover - the failure this guards against
            pytest.fail("a burst of sends ran out of Redis connections")
        got = {(await asyncio.wait_for(layer.receive(channel), 10))["n"] for _ in range(150)}
        assert got == set(range(150))
        pool = layer.connection(layer.consistent_hash(channel)).connection_pool
        assert pool.max_connections == 5 and len(pool._in_use_connections) <= 5
        await layer.flush()

    asyncio.run(scenario())


@pytest.mark.parametrize("layer_class", [RedisChannelLayer, RedisPubSubLayer])
def test_channel_and_group_messages_pass_through_each_layer(redis_url, layer_class):  # noqa: F811
    layer = layer_class(hosts=[redis_url], prefix=_prefix())

    async def scenario():
        a, b = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("room", a)
        await layer.group_add("room", b)
        await layer.group_send("room", {"type": "peer.joined", "peer": "x"})
        assert (await asyncio.wait_for(layer.receive(a), 10))["peer"] == "x"
        assert (await asyncio.wait_for(layer.receive(b), 10))["peer"] == "x"
        await layer.send(b, {"type": "relay.signal", "data": {"sdp": "v=0"}})
        assert (await asyncio.wait_for(layer.receive(b), 10))["data"] == {"sdp": "v=0"}
        await layer.flush()

    asyncio.run(scenario())
