"""JWT minting and checking, with Lightbits-style roles.

A token carries ``roles``: ``system:cluster-admin`` (everything) or
``<project>:admin`` / ``<project>:viewer`` (one project; viewers only read).
"""

import time
import uuid

import jwt

ALGORITHM = "ES256"
ISSUER = "lightbits-emulator"
ADMIN_ROLE = "system:cluster-admin"
ADMIN_TTL = 10 * 365 * 24 * 3600


class AuthError(Exception):
    """Raised with the HTTP status (401 or 403) and a message safe to return."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def mint(private_pem, project="default", ttl=3600, admin=False, subject=None):
    now = int(time.time())
    roles = [ADMIN_ROLE] if admin else [f"{project}:admin"]
    claims = {
        "iss": ISSUER,
        "sub": subject or ("cluster-admin" if admin else f"{project}-client"),
        "iat": now,
        "nbf": now - 5,
        "exp": now + int(ttl),
        "jti": uuid.uuid4().hex,
        "roles": roles,
    }
    return jwt.encode(claims, private_pem, algorithm=ALGORITHM)


class Principal:
    """What a verified token may do."""

    def __init__(self, roles):
        self.admin = ADMIN_ROLE in roles
        self.projects = {}
        for role in roles:
            project, _, level = role.rpartition(":")
            if project and project != "system":
                self.projects[project] = level

    def check(self, project, write=False):
        if self.admin:
            return
        level = self.projects.get(project)
        if level is None or (write and level != "admin"):
            raise AuthError(403, f"access to project {project!r} denied")

    def require_admin(self):
        if not self.admin:
            raise AuthError(403, "cluster-admin role required")

    @property
    def default_project(self):
        return next(iter(self.projects), None)


def verify(public_pem, header, rsa_keys=None):
    """Return the Principal of an ``Authorization`` header or raise AuthError(401).

    Accepts the emulator's own ES256 tokens and RS256 tokens signed by a
    registered RSA key (``rsa_keys``: key id -> public PEM), as real clusters
    use ([DOC] lbcli create credential --type rsa256pubkey; lbcli create jwt
    --key-id). An RS256 token names its key in the ``kid`` header.
    """
    if not header or not header.startswith("Bearer "):
        raise AuthError(401, "missing bearer token")
    token = header[len("Bearer ") :].strip()
    try:
        head = jwt.get_unverified_header(token)
        if head.get("alg") == "RS256" and rsa_keys:
            key = rsa_keys.get(head.get("kid"))
            if key is None:
                raise AuthError(401, "invalid token")
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                options={"require": ["exp", "roles"], "verify_aud": False},
            )
        else:
            claims = jwt.decode(
                token,
                public_pem,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "roles"]},
            )
    except jwt.ExpiredSignatureError:
        raise AuthError(401, "token expired")
    except jwt.InvalidTokenError:
        raise AuthError(401, "invalid token")
    roles = claims.get("roles")
    if not isinstance(roles, list):
        raise AuthError(401, "invalid token")
    return Principal([str(r) for r in roles])
