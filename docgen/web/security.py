"""Who is asking, and whether a form really came from our page: signed sessions and CSRF tokens.

Pure functions over a secret the server draws at start: a restart signs everyone out, which is
what an office wants from a server nobody administers. No third-party crypto is needed: HMAC-SHA256
over ``name|nonce|expiry``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field

SESSION_SECONDS = 12 * 3600  # one working day
MAX_NAME_CHARS = 20


@dataclass(frozen=True)
class Session:
    """A signed-in clerk (``name`` empty on a local server without a password) and the session's nonce."""

    name: str
    nonce: str
    expires: int


def _sign(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def new_session(secret: bytes, name: str, now: float | None = None) -> tuple[Session, str]:
    """A fresh session and its cookie value."""
    session = Session(name, secrets.token_hex(16), int((now or time.time()) + SESSION_SECONDS))
    payload = f"{session.name}|{session.nonce}|{session.expires}"
    encoded = base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")
    return session, f"{encoded}.{_sign(secret, payload)}"


def read_session(secret: bytes, cookie: str | None, now: float | None = None) -> Session | None:
    """The session a cookie carries, if its signature holds and it has not expired."""
    if not cookie or "." not in cookie:
        return None
    encoded, signature = cookie.rsplit(".", 1)
    try:
        payload = base64.urlsafe_b64decode(encoded.encode("ascii")).decode("utf-8")
        name, nonce, expires = payload.split("|")
        deadline = int(expires)
    except (ValueError, UnicodeError):
        return None
    if not hmac.compare_digest(_sign(secret, payload), signature) or deadline < (now or time.time()):
        return None
    return Session(name, nonce, deadline)


def csrf_token(secret: bytes, session: Session) -> str:
    """The token every changing form of this session carries."""
    return _sign(secret, f"csrf|{session.nonce}")


def csrf_ok(secret: bytes, session: Session | None, token: str | None) -> bool:
    """Whether a submitted form carries this session's token."""
    return bool(session and token and hmac.compare_digest(csrf_token(secret, session), token))


def password_ok(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the office password."""
    return bool(given) and hmac.compare_digest(expected.encode("utf-8"), (given or "").encode("utf-8"))


def clean_name(text: str | None) -> str | None:
    """A clerk's name as the ledger will record it: printable, trimmed, short; None when unusable."""
    name = " ".join((text or "").split())
    if not name or len(name) > MAX_NAME_CHARS or not name.isprintable() or "|" in name:
        return None
    return name


def is_loopback(host: str) -> bool:
    """Whether a bind address only this computer can reach (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class SignInGuard:
    """Stops password guessing: an account, then an address, locked after a few wrong passwords.

    Checked and recorded in one step with no pause between, so fifty guesses sent at once meet
    the lock as surely as fifty sent one after another. While locked, every attempt is refused
    without the password being looked at (a right one included): a guesser learns nothing. A
    lock lasts ``base_lock_s`` and doubles each time it comes back, up to ``max_lock_s``. One
    address may fail for several names (an office behind one router), so it locks later than a
    name does: a colleague signing in under another name from the same address still gets in.
    """

    per_account: int = 5
    per_address: int = 20
    window_s: float = 15 * 60
    base_lock_s: float = 60.0
    max_lock_s: float = 3600.0
    max_keys: int = 10_000  # names and addresses remembered; the oldest are forgotten first
    _failures: OrderedDict[str, list[float]] = field(default_factory=OrderedDict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _locks: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def keys(account: str, address: str) -> tuple[str, str]:
        """The two things an attempt counts against."""
        return f"account:{account}", f"address:{address}"

    def wait(self, account: str, address: str, now: float | None = None) -> float:
        """Seconds until this name may try again from this address (0: it may try now)."""
        moment = time.monotonic() if now is None else now
        return max(0.0, *(self._locked_until.get(key, 0.0) - moment for key in self.keys(account, address)))

    def failed(self, account: str, address: str, now: float | None = None) -> None:
        """Count one wrong password; lock the name or the address that reaches its limit."""
        moment = time.monotonic() if now is None else now
        for key, limit in zip(self.keys(account, address), (self.per_account, self.per_address), strict=True):
            recent = [t for t in self._failures.pop(key, []) if moment - t < self.window_s] + [moment]
            self._failures[key] = recent
            if len(recent) >= limit:
                self._locks[key] = self._locks.get(key, 0) + 1
                lasting = min(self.base_lock_s * 2 ** (self._locks[key] - 1), self.max_lock_s)
                self._locked_until[key] = moment + lasting
                self._failures[key] = []
        while len(self._failures) > self.max_keys:
            oldest, _ = self._failures.popitem(last=False)
            self._locked_until.pop(oldest, None)

    def succeeded(self, account: str) -> None:
        """A right password clears the name's count (not the address's: others may be guessing there)."""
        self._failures.pop(f"account:{account}", None)
        self._locks.pop(f"account:{account}", None)
