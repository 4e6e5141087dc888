# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The back-office rules' pure decisions (tools/policy.py), without a database."""

from datetime import date, datetime, timedelta

from odoo.addons.salon_otp_redeem.tools import policy

NOW = datetime(2026, 3, 10, 12, 0, 0)


def test_is_expired_counts_the_expiration_day_as_valid():
    today = date(2026, 3, 10)
    assert not policy.is_expired(None, today)
    assert not policy.is_expired(today, today)
    assert not policy.is_expired(today + timedelta(days=1), today)
    assert policy.is_expired(today - timedelta(days=1), today)


def test_last_activity_ignores_missing_dates():
    created = NOW - timedelta(days=300)
    used = NOW - timedelta(days=2)
    assert policy.last_activity(created, []) == created
    assert policy.last_activity(created, [None]) == created
    assert policy.last_activity(created, [used]) == used
    assert policy.last_activity(None, [None]) is None


def test_is_dormant():
    assert policy.is_dormant(NOW - timedelta(days=180), NOW, 180)
    assert not policy.is_dormant(NOW - timedelta(days=179, hours=23), NOW, 180)
    assert not policy.is_dormant(NOW - timedelta(days=1000), NOW, 0), (
        "0 turns the rule off"
    )
    assert not policy.is_dormant(None, NOW, 180)


def test_below_minimum():
    assert policy.below_minimum(19.99, 20)
    assert not policy.below_minimum(20, 20)
    assert not policy.below_minimum(20.001, 20)
    assert not policy.below_minimum(0, 0), "a minimum of 0 always asks for the code"
    assert policy.below_minimum(None, 5)


def test_within_hold():
    assert policy.within_hold(NOW - timedelta(hours=23, minutes=59), NOW, 24)
    assert not policy.within_hold(NOW - timedelta(hours=24), NOW, 24)
    assert not policy.within_hold(NOW, NOW, 0)
    assert not policy.within_hold(None, NOW, 24)


def test_failed_sends_alert_fires_once_past_the_threshold():
    assert [n for n in range(10) if policy.failed_sends_alert(n, 3)] == [4]
    assert not any(policy.failed_sends_alert(n, 0) for n in range(10))


def test_override_limit_reached_once():
    assert [n for n in range(6) if policy.override_limit_reached(n, 3)] == [3]
    assert not any(policy.override_limit_reached(n, 0) for n in range(6))


def test_retention_cutoff():
    assert policy.retention_cutoff(NOW, 400) == NOW - timedelta(days=400)
    assert policy.retention_cutoff(NOW, 0) is None
