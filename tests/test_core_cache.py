from pnyx.core.cache import TTLCache, clear_process_caches


def test_ttl_cache_computes_once_then_again_after_expiry_forget_or_clear(monkeypatch):
    import pnyx.core.cache as cache_module

    now = [100.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    calls = []
    cache = TTLCache(seconds=5, max_entries=2)

    def compute(v):
        calls.append(v)
        return v * 2

    assert cache.get("a", lambda: compute(1)) == 2
    assert cache.get("a", lambda: compute(99)) == 2  # within 5 s: kept
    now[0] += 5.1
    assert cache.get("a", lambda: compute(3)) == 6  # expired: recomputed
    cache.forget("a")
    assert cache.get("a", lambda: compute(4)) == 8
    cache.get("b", lambda: compute(5))
    cache.get("c", lambda: compute(6))  # over max_entries: emptied first
    assert cache.get("a", lambda: compute(7)) == 14
    clear_process_caches()
    assert cache.get("a", lambda: compute(8)) == 16
    assert calls == [1, 3, 4, 5, 6, 7, 8]
