"""The Redis channel layer: a bounded connection pool that waits instead of failing, and a socket read
timeout longer than channels_redis' blocking pop.

channels_redis makes one redis-py connection pool per event loop and takes a connection from it for the
length of every layer call (send, group_add, group_send; the receive loop holds one for its blocking
pop). redis-py's asyncio ConnectionPool allows at most 100 connections by default and raises
MaxConnectionsError ("Too many connections") for the 101st. A burst of signalling - hundreds of peers
joining rooms or trickling ICE candidates at the same moment - therefore raised inside the consumers,
and Channels closed those WebSockets: bench/signalling.py at 200 rooms x 4 peers lost all 800
connections that way. Here the pool is redis-py's BlockingConnectionPool: at most `pool_size` connections
per server process, and a call waits up to `pool_timeout` seconds for a free one, so a burst queues
instead of failing.

Second, redis-py 8 reads every reply with a 5-second socket timeout by default, and channels_redis' receive
loop blocks in BZPOPMIN for 5 seconds (`brpop_timeout`): on a room quiet for five seconds the read timed
out just before Redis answered "nothing", the TimeoutError surfaced in the consumer holding the receive
loop, and its WebSocket was closed (peers "dropped" even at 20 rooms). Here the read timeout is
`socket_timeout` (default 30 s, always above brpop_timeout) and connecting is bounded by
`connect_timeout`. See docs/tele-supervision.md, "Scale".
"""

from __future__ import annotations

from channels_redis.core import RedisChannelLayer as ChannelsRedisLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from redis import asyncio as aioredis


class RedisChannelLayer(ChannelsRedisLayer):
    def __init__(self, *args, pool_size: int = 50, pool_timeout: float = 10, socket_timeout: float = 30,
                 connect_timeout: float = 5, **kwargs):
        super().__init__(*args, **kwargs)
        if socket_timeout <= self.brpop_timeout:
            raise ValueError(f"socket_timeout must exceed the blocking pop's {self.brpop_timeout} s")
        self.pool_size, self.pool_timeout = pool_size, pool_timeout
        self.socket_timeout, self.connect_timeout = socket_timeout, connect_timeout

    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:  # Sentinel or explicit keyword hosts: channels_redis' own pool
            return super().create_pool(index)
        address = host.pop("address")
        host.setdefault("socket_timeout", self.socket_timeout)
        host.setdefault("socket_connect_timeout", self.connect_timeout)
        return aioredis.BlockingConnectionPool.from_url(address, max_connections=self.pool_size,
                                                        timeout=self.pool_timeout, **host)


class RedisPubSubLayer(RedisPubSubChannelLayer):
    """channels_redis' publish/subscribe layer (the default with Redis, CMRNET_REDIS_LAYER=pubsub).

    A message costs one PUBLISH, and Redis pushes it to the processes subscribed to the consumer's channel
    or the room's group; the queue layer above costs about eight round trips a message (expiry sweep,
    capacity count, add, expire; then the receive loop's clean-up script, blocking pop, backup add and
    backup pop), all through one receive loop per process, which measured about 100 relayed messages a
    second on a loaded 2-core machine before its per-process queue reached capacity (ChannelFull closed
    the sending peer). Signalling is ephemeral: a message for a peer that has gone may be lost, which is
    pub/sub's at-most-once delivery. Its connections get the same read timeout as above.
    """

    def __init__(self, hosts=None, *, socket_timeout: float = 30, connect_timeout: float = 5, **kwargs):
        hosts = [{"address": host, "socket_timeout": socket_timeout, "socket_connect_timeout": connect_timeout}
                 if isinstance(host, str) else host for host in (hosts or [])]
        super().__init__(hosts=hosts, **kwargs)
