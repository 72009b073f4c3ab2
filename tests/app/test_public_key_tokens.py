"""The generated app verifies RS256 tokens against JWT_PUBLIC_KEY, with no shared secret."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import fresh_database, start_app


def test_rs256_tokens_with_a_public_key(crm_dir: Path, pg_server: str) -> None:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    app = start_app(
        crm_dir,
        fresh_database(pg_server),
        JWT_SECRET="",
        JWT_PUBLIC_KEY=public_pem,
        JWT_ALGORITHM="RS256",
    )
    try:
        claims = {"sub": "svc", "role": "MEMBER", "exp": int(time.time()) + 60}
        signed = jwt.encode(claims, private_key, algorithm="RS256")
        url = f"{app.api}tables/produits/"
        assert httpx.get(url, headers={"Authorization": f"Bearer {signed}"}).status_code == 200
        # A token signed with HS256 and the public key as the secret is refused.
        forged = jwt.encode(claims, "x" * 64, algorithm="HS256")
        assert httpx.get(url, headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    finally:
        app.process.terminate()
        app.process.wait(timeout=30)
