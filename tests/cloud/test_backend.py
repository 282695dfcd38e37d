"""Cinder's LightOS backend talks to the emulator over verified TLS."""

import configparser
import os


def test_lightbits_backend_reports_a_pool_with_tls_verification_on(admin, cloud):
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(os.path.join(cloud["state_dir"], "etc", "cinder", "cinder.conf"))
    assert conf.getboolean("lightbits", "driver_ssl_cert_verify") is True
    assert conf.get("lightbits", "lightos_api_port") == str(cloud["ports"]["emulator"])

    # A pool exists only once the driver has connected to the cluster and
    # reported its stats: with verification on, that means the emulator's
    # certificate was checked against its CA.
    pools = {p.name: p for p in admin.cinder.pools.list(detailed=True)}
    pool = pools[cloud["volume_backend_host"]]
    assert pool.volume_backend_name == "lightbits"
    assert pool.storage_protocol == "lightos"
