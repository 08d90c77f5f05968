"""Django's Redis cache backend, reusing its redis-py client.

Django's RedisCacheClient builds a new redis.Redis object for every cache operation, and
building one costs about 0.2 ms (it fills in a table of some 170 response callbacks): more than
the operation itself on a local Redis, and several times over on a request that reads its
session, the tables' versions and a kept page. A redis.Redis over a connection pool may be
shared (redis-py's own documentation says so), so this keeps one per pool.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if (client := self._clients.get(index)) is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient
