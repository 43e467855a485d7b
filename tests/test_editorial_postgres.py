"""The editorial core on a real PostgreSQL server: every test of tests/test_editorial.py runs here again.

This module's ``db_url`` fixture overrides test_editorial's: a fresh PostgreSQL database per test (the
``engine``, ``store`` and ``accounts`` fixtures are test_editorial's own, built on it). So the workflow,
concurrent reviewers (one winner), the append-only audit log (the trigger refusing UPDATE and DELETE),
and atomicity (a failing step, a reviewer process killed mid-transaction) are checked on PostgreSQL's
locking and transactions as well as SQLite's.
"""

from __future__ import annotations

import postgres_server
import pytest
from test_editorial import (
    accounts,
    engine,
    store,
    test_a_failure_inside_a_step_writes_nothing,
    test_a_new_version_racing_an_approval_never_approves_the_wrong_version,
    test_a_reviewer_process_killed_mid_step_leaves_no_half_written_review,
    test_accounts_hash_passwords_and_check_input,
    test_changes_requested_then_a_new_version_re_enters_review,
    test_concurrent_reviewers_leave_one_consistent_history,
    test_failed_sign_ins_are_throttled_per_name,
    test_injection_strings_are_stored_literally,
    test_invalid_steps_are_refused_with_a_reason,
    test_readers_see_the_approved_version_while_a_newer_one_waits,
    test_sessions_are_new_at_each_sign_in_and_end_at_sign_out,
    test_submitted_under_review_approved,
    test_the_audit_log_refuses_updates_and_deletes,
    test_tokens_are_hashed_revocable_and_unforgeable,
    test_unknown_article_is_404,
)

# The fixtures: a PostgreSQL server for the session, a fresh database per test.
pg_server = postgres_server.pg_server
pg_url = postgres_server.pg_url

FIXTURES = (accounts, engine, store)
REUSED = (
    test_accounts_hash_passwords_and_check_input,
    test_tokens_are_hashed_revocable_and_unforgeable,
    test_sessions_are_new_at_each_sign_in_and_end_at_sign_out,
    test_failed_sign_ins_are_throttled_per_name,
    test_submitted_under_review_approved,
    test_changes_requested_then_a_new_version_re_enters_review,
    test_readers_see_the_approved_version_while_a_newer_one_waits,
    test_invalid_steps_are_refused_with_a_reason,
    test_unknown_article_is_404,
    test_injection_strings_are_stored_literally,
    test_the_audit_log_refuses_updates_and_deletes,
    test_concurrent_reviewers_leave_one_consistent_history,
    test_a_new_version_racing_an_approval_never_approves_the_wrong_version,
    test_a_failure_inside_a_step_writes_nothing,
    test_a_reviewer_process_killed_mid_step_leaves_no_half_written_review,
)


@pytest.fixture
def db_url(pg_url) -> str:
    """Like test_editorial's, but a fresh PostgreSQL database."""
    return pg_url


def test_the_editorial_store_here_is_postgresql(store):
    assert store.engine.dialect.name == "postgresql"
