"""One conversion per source image: the lock in the shared cache, its
lifetime, and who it is said to be held by."""

from lightbits_dashboard.convert import lock


class FakeCache:
    """add/get/set/delete with expiry on a fake clock, as a Django cache."""

    def __init__(self):
        self.now, self.items = 0.0, {}

    def get(self, key):
        value, until = self.items.get(key, (None, 0))
        return value if self.now < until else None

    def add(self, key, value, timeout):
        if self.get(key) is not None:
            return False
        self.set(key, value, timeout)
        return True

    def set(self, key, value, timeout):
        self.items[key] = (value, self.now + timeout)

    def delete(self, key):
        self.items.pop(key, None)


def holder(cid, user="u1", project="p1"):
    return lock.Holder(cid, user, f"name-{user}", project, f"name-{project}")


def make():
    cache = FakeCache()
    return cache, lock.ConversionLock(cache, ttl=60, clock=lambda: cache.now)


def test_one_conversion_per_image_the_others_are_told_who_holds_it():
    _cache, locks = make()
    assert locks.acquire("img", holder("c1")) is None
    assert locks.acquire("img", holder("c2", "u2")).conversion_id == "c1"
    assert locks.acquire("img", holder("c3", "admin", "p9")).conversion_id == "c1"
    assert locks.acquire("other-img", holder("c4")) is None  # per image
    # the same conversion (Finish) takes it again
    assert locks.acquire("img", holder("c1")) is None


def test_the_heartbeat_renews_it_and_a_dead_horizon_lets_it_lapse():
    cache, locks = make()
    locks.acquire("img", holder("c1"))
    for _beat in range(5):
        cache.now += 50
        locks.renew("img", "c1")
    assert locks.holder("img").conversion_id == "c1"  # 250 s, lifetime 60
    cache.now += 61  # no beat: the process died
    assert locks.holder("img") is None
    assert locks.acquire("img", holder("c2")) is None
    locks.renew("img", "c1")  # the old one cannot take it back
    assert locks.holder("img").conversion_id == "c2"


def test_released_only_by_its_holder():
    _cache, locks = make()
    locks.acquire("img", holder("c1"))
    locks.release("img", "c2")
    assert locks.holder("img").conversion_id == "c1"
    locks.release("img", "c1")
    assert locks.holder("img") is None


def test_who_says_only_what_the_asking_user_may_know():
    held = holder("c1", "u1", "p1")
    ask = lambda user, project, admin=False: lock.who(  # noqa: E731
        held, user_id=user, project_id=project, sees_all=admin
    )
    assert ask("u1", "p2") == (lock.BY_YOU, {"project": "name-p1"})
    assert ask("u2", "p1") == (lock.BY_PROJECT, {})
    assert ask("u3", "p3") == (lock.BY_OTHER_PROJECT, {})
    assert ask("admin", "p9", admin=True) == (
        lock.BY_USER,
        {"user": "name-u1", "project": "name-p1"},
    )
