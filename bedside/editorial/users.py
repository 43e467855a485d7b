"""People: accounts with roles, API tokens, browser sessions and the sign-in throttle.

Passwords are hashed with argon2id (argon2-cffi) and are never stored, printed or logged. API tokens
and session ids are 256 random bits; only their SHA-256 is stored, so a copy of the database does not
hand out working credentials. Tokens are shown once, when issued, and can be revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bedside.editorial import audit
from bedside.editorial.schema import api_tokens, sign_in_failures, users, web_sessions

ROLES = ("reader", "reviewer", "editor", "admin")
REVIEW_ROLES = frozenset({"reviewer", "editor"})  # may start, approve, request changes
EDIT_ROLES = frozenset({"editor"})  # may make a new version (edit or regenerate)

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_NAME = 64
TOKEN_PREFIX = "bsd_"
SESSION_HOURS = 12
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_PER_NAME = 5
THROTTLE_PER_CLIENT = 30

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """Bad input about an account: an unknown role, a short password, a taken or unknown name."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created_at: str = ""

    @property
    def may_review(self) -> bool:
        return self.role in REVIEW_ROLES

    @property
    def may_edit(self) -> bool:
        return self.role in EDIT_ROLES


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: str


def now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime | None = None) -> str:
    return (moment or now()).isoformat(timespec="seconds")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    if not isinstance(name, str) or not name or name != name.strip():
        raise AccountError("a user name must be non-empty, without spaces at either end")
    if len(name) > MAX_NAME:
        raise AccountError(f"a user name must be at most {MAX_NAME} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise AccountError("a user name must not contain control characters")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password is too long: use at most {MAX_PASSWORD} characters")
    return password


class Accounts:
    def __init__(self, engine: Engine):
        self.engine = engine

    # --- accounts ------------------------------------------------------------------------------
    def add(self, name: str, role: str, password: str, by: str = "cli") -> User:
        check_name(name)
        check_role(role)
        check_password(password)
        hashed = _hasher.hash(password)
        created = stamp()
        try:
            with self.engine.begin() as tx:
                tx.execute(insert(users).values(name=name, role=role, password_hash=hashed, created_at=created))
                audit.append(tx, actor=by, action="user_added", detail={"user": name, "role": role})
        except IntegrityError as exc:
            raise AccountError(f"a user named {name!r} already exists") from exc
        return User(name, role, created)

    def get(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            query = select(users.c.name, users.c.role, users.c.created_at).where(users.c.name == name)
            row = conn.execute(query).first()
        return User(*row) if row else None

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users.c.name, users.c.role, users.c.created_at).order_by(users.c.name)).all()
        return [User(*row) for row in rows]

    def remove(self, name: str, by: str = "cli") -> None:
        """Delete the account, its tokens and its sessions. What it did stays in the audit log."""
        with self.engine.begin() as tx:
            if tx.execute(delete(users).where(users.c.name == name)).rowcount == 0:
                raise AccountError(f"no user named {name!r}")
            tx.execute(delete(api_tokens).where(api_tokens.c.user_name == name))
            tx.execute(delete(web_sessions).where(web_sessions.c.user_name == name))
            audit.append(tx, actor=by, action="user_removed", detail={"user": name})

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password is theirs, else None (in about the same time either way)."""
        if not isinstance(name, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(users.c.password_hash, users.c.role).where(users.c.name == name)).first()
        try:
            _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return User(name, row.role) if row else None

    # --- API tokens ----------------------------------------------------------------------------
    def issue_token(self, name: str, by: str = "cli") -> str:
        """A new API token for the user, returned once; only its hash is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as tx:
            if tx.execute(select(users.c.id).where(users.c.name == name)).first() is None:
                raise AccountError(f"no user named {name!r}")
            tx.execute(insert(api_tokens).values(user_name=name, token_hash=digest(token), created_at=stamp()))
            audit.append(tx, actor=by, action="token_issued", detail={"user": name})
        return token

    def revoke_tokens(self, name: str, by: str = "cli") -> int:
        """Revoke every live token of the user; returns how many."""
        with self.engine.begin() as tx:
            n = tx.execute(
                update(api_tokens)
                .where(api_tokens.c.user_name == name, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=stamp())
            ).rowcount
            audit.append(tx, actor=by, action="tokens_revoked", detail={"user": name, "count": n})
        return n

    def user_for_token(self, token: str) -> User | None:
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(users.c.name, users.c.role, users.c.created_at)
                .join(api_tokens, api_tokens.c.user_name == users.c.name)
                .where(api_tokens.c.token_hash == digest(token), api_tokens.c.revoked_at.is_(None))
            ).first()
        return User(*row) if row else None

    # --- browser sessions ----------------------------------------------------------------------
    def start_session(self, user: User) -> tuple[str, Session]:
        """A fresh session id (for the cookie) and its session. Always new: never reuses an id."""
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = stamp(now() + timedelta(hours=SESSION_HOURS))
        with self.engine.begin() as tx:
            tx.execute(web_sessions.delete().where(web_sessions.c.expires_at < stamp()))
            tx.execute(
                insert(web_sessions).values(
                    id_hash=digest(session_id),
                    user_name=user.name,
                    csrf_token=csrf,
                    created_at=stamp(),
                    expires_at=expires,
                )
            )
            audit.append(tx, actor=user.name, action="signed_in")
        return session_id, Session(user, csrf, expires)

    def session(self, session_id: str | None) -> Session | None:
        if not session_id or len(session_id) > 200:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(users.c.name, users.c.role, web_sessions.c.csrf_token, web_sessions.c.expires_at)
                .join(users, users.c.name == web_sessions.c.user_name)
                .where(web_sessions.c.id_hash == digest(session_id), web_sessions.c.expires_at > stamp())
            ).first()
        return Session(User(row.name, row.role), row.csrf_token, row.expires_at) if row else None

    def end_session(self, session_id: str | None) -> None:
        if session_id:
            with self.engine.begin() as tx:
                tx.execute(delete(web_sessions).where(web_sessions.c.id_hash == digest(session_id)))

    # --- the sign-in throttle --------------------------------------------------------------------
    def throttled(self, name: str, client: str) -> bool:
        """Too many recent failed sign-ins for this name or from this client."""
        since = stamp(now() - THROTTLE_WINDOW)
        with self.engine.connect() as conn:
            by_name = conn.execute(
                select(func.count()).where(sign_in_failures.c.name == name[:MAX_NAME], sign_in_failures.c.at > since)
            ).scalar_one()
            by_client = conn.execute(
                select(func.count()).where(sign_in_failures.c.client == client[:64], sign_in_failures.c.at > since)
            ).scalar_one()
        return by_name >= THROTTLE_PER_NAME or by_client >= THROTTLE_PER_CLIENT

    def record_failure(self, name: str, client: str) -> None:
        with self.engine.begin() as tx:
            tx.execute(delete(sign_in_failures).where(sign_in_failures.c.at < stamp(now() - THROTTLE_WINDOW)))
            tx.execute(insert(sign_in_failures).values(name=name[:MAX_NAME], client=client[:64], at=stamp()))

    def clear_failures(self, name: str) -> None:
        with self.engine.begin() as tx:
            tx.execute(delete(sign_in_failures).where(sign_in_failures.c.name == name[:MAX_NAME]))


def same_secret(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets, false when either is missing."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
