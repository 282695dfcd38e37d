"""Key material of an emulated cluster: a CA, a server certificate, a JWT key.

Everything is generated once into the state directory (EC P-256 keys, fast to
make) and reused on later starts, so clients can keep trusting ``ca.pem``.
"""

import datetime
import ipaddress
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.pem"
CERT_FILE = "server.pem"
KEY_FILE = "server-key.pem"
JWT_KEY_FILE = "jwt-key.pem"


@dataclass(frozen=True)
class Material:
    ca_file: str
    cert_file: str
    key_file: str
    jwt_private_pem: bytes
    jwt_public_pem: bytes


def _key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _name(common_name):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Lightbits emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _generate_certs(state_dir):
    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=3650)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Lightbits emulator CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    san = [
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.DNSName("localhost"),
    ]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write(os.path.join(state_dir, KEY_FILE), _key_pem(key))
    _write(
        os.path.join(state_dir, CERT_FILE),
        cert.public_bytes(serialization.Encoding.PEM)
        + ca_cert.public_bytes(serialization.Encoding.PEM),
    )
    # The CA file is public: clients read it to verify the server.
    with open(os.path.join(state_dir, CA_FILE), "wb") as f:
        f.write(ca_cert.public_bytes(serialization.Encoding.PEM))


def ensure_material(state_dir):
    """Create (first start) or load the key material in ``state_dir``."""
    os.makedirs(state_dir, exist_ok=True)
    paths = [os.path.join(state_dir, n) for n in (CA_FILE, CERT_FILE, KEY_FILE)]
    if not all(os.path.exists(p) for p in paths):
        _generate_certs(state_dir)
    jwt_path = os.path.join(state_dir, JWT_KEY_FILE)
    if not os.path.exists(jwt_path):
        _write(jwt_path, _key_pem(ec.generate_private_key(ec.SECP256R1())))
    with open(jwt_path, "rb") as f:
        private_pem = f.read()
    public_pem = (
        serialization.load_pem_private_key(private_pem, None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return Material(paths[0], paths[1], paths[2], private_pem, public_pem)
