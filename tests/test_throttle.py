"""The per-user action limit: a rolling minute, one warning, then silence, per user."""

from __future__ import annotations

from bot.throttle import PRUNE_EVERY, WINDOW_SECONDS, Throttle, Verdict


def test_a_user_over_the_limit_is_warned_once_then_ignored_until_the_minute_rolls_on():
    throttle = Throttle(per_minute=3)
    assert [throttle.check(1, t) for t in (0, 1, 2)] == [Verdict.ALLOW] * 3
    assert throttle.check(1, 3) is Verdict.WARN
    assert throttle.check(1, 4) is Verdict.IGNORE
    assert throttle.check(2, 4) is Verdict.ALLOW  # another user is not affected
    assert throttle.check(1, WINDOW_SECONDS + 0.5) is Verdict.ALLOW  # the first action aged out
    assert throttle.check(1, WINDOW_SECONDS + 1.5) is Verdict.ALLOW
    assert throttle.check(1, WINDOW_SECONDS + 2.5) is Verdict.ALLOW
    assert throttle.check(1, WINDOW_SECONDS + 2.6) is Verdict.WARN  # warned again, once


def test_users_who_went_quiet_are_forgotten():
    throttle = Throttle(per_minute=3)
    for user in range(PRUNE_EVERY - 1):
        throttle.check(user, 0)
    throttle.check(-1, WINDOW_SECONDS * 2)
    assert throttle.check(0, WINDOW_SECONDS * 2) is Verdict.ALLOW
    assert len(throttle) == 2
