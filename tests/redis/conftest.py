"""Fixtures of the Redis tests: real redis-server processes (see servers.py)."""

from tests.redis.servers import redis_servers

__all__ = ["redis_servers"]
