"""devcloud start | stop | status."""

import concurrent.futures
import json
import os
import sys
import time

from cloudctl import emulator, identity, memcached, procs, services, settings
from cloudctl.services import log

CLOUD_JSON = os.path.join(settings.STATE, "cloud.json")
API_ORDER = ("glance-api", "placement-api", "neutron-api", "nova-api", "cinder-api")


def start():
    t0 = time.monotonic()
    from cloudctl import readiness

    since = readiness.utcnow()
    services.write_configs()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        services.start_mariadb()
        services.start_rabbitmq()
        memcached.start()
        emulator_present = emulator.start()
        ml2 = pool.submit(services.ensure_ml2_driver)
        services.wait_mariadb()
        log(f"MariaDB up on 127.0.0.1:{settings.PORTS['mariadb']} ({time.monotonic() - t0:.0f}s)")
        syncs = pool.submit(services.sync_all)
        services.wait_rabbitmq()
        log(
            f"RabbitMQ up on 127.0.0.1:{settings.PORTS['rabbitmq']} ({time.monotonic() - t0:.0f}s)"
        )
        if emulator_present:
            emulator.wait()
            services.render("cinder.conf", "cinder", jwt=emulator.jwt())
            log(f"Lightbits emulator up at {emulator.url()} ({time.monotonic() - t0:.0f}s)")
        else:
            log("WARNING: lightbits_emulator/ not found: cinder-volume not started")
        memcached.wait()
        ml2.result()
        syncs.result()
    log("databases ready (%.0fs)" % (time.monotonic() - t0))
    services.start_api("keystone")
    services.wait_api("keystone")
    ids = identity.register()
    log("Keystone up and registered (%.0fs)" % (time.monotonic() - t0))
    for name in API_ORDER:
        services.start_api(name)
    daemons = ["nova-conductor", "nova-scheduler", "nova-compute", "cinder-scheduler"]
    if emulator_present:
        daemons.append("cinder-volume")
    # A service record counts only if written after a restart of its process.
    fresh = {name: None if procs.running(name) else since for name in daemons}
    for name in daemons:
        services.start_daemon(name)
    for name in API_ORDER:
        services.wait_api(name)
    log("APIs answer (%.0fs)" % (time.monotonic() - t0))
    readiness.wait_compute(fresh["nova-compute"])
    log("nova-compute up and discovered (%.0fs)" % (time.monotonic() - t0))
    if emulator_present:
        readiness.wait_cinder_volume(fresh["cinder-volume"])
        log("cinder-volume up (%.0fs)" % (time.monotonic() - t0))
        from cloudctl import seed

        seeded = seed.seed()
        log("seeded (%.0fs)" % (time.monotonic() - t0))
    else:
        seeded = {}
    write_facts(ids, seeded)
    elapsed = time.monotonic() - t0
    print_summary(elapsed)


def write_facts(ids, seeded):
    facts = {
        "release": settings.RELEASE,
        "auth_url": settings.AUTH_URL,
        "region": settings.REGION,
        "admin": dict(settings.ADMIN),
        "demo": dict(settings.DEMO, project_id=ids["demo_project_id"]),
        "service_project": settings.SERVICE_PROJECT,
        "service_users": {name: settings.SERVICE_PASSWORD for name in settings.SERVICE_USERS},
        "endpoints": {stype: url for stype, (_name, url) in settings.CATALOG.items()},
        "ports": settings.PORTS,
        "host_nqn_file": "/etc/nvme/hostnqn",
        "compute_host": settings.SERVICE_HOST,
        "volume_backend_host": f"{settings.SERVICE_HOST}@lightbits#lightbits",
        "emulator": {
            "url": emulator.url(),
            "ca_file": emulator.CA_FILE,
            "admin_jwt_file": emulator.ADMIN_JWT_FILE,
            "state_dir": emulator.STATE_DIR,
            "discovery_url": f"http://{settings.HOST}:{settings.PORTS['emulator_discovery']}",
            "lightbits_project": "default",
        },
        "memcached": memcached.location(),
        "state_dir": settings.STATE,
        "logs_dir": settings.LOGS,
    }
    facts.update(seeded)
    tmp = CLOUD_JSON + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(facts, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, CLOUD_JSON)


def print_summary(elapsed):
    print("")
    print(
        f"devcloud (OpenStack {settings.RELEASE}) is up ({elapsed:.0f} s). "
        f"State and logs: {settings.STATE}"
    )
    for stype, (_name, url) in settings.CATALOG.items():
        print(f"  {stype:<10} {url}")
    if emulator.available():
        print(f"  {'lightbits':<10} {emulator.url()} (CA {emulator.CA_FILE})")
    ports = settings.PORTS
    print(
        f"  {'mariadb':<10} 127.0.0.1:{ports['mariadb']}   rabbitmq 127.0.0.1:{ports['rabbitmq']}"
    )
    print("  logins    admin/admin (project admin), demo/demo (project demo, member)")
    print(f"  facts     {CLOUD_JSON}")
    print(f"  openrc    export OS_AUTH_URL={settings.AUTH_URL} OS_USERNAME=demo \\")
    print("              OS_PASSWORD=demo OS_PROJECT_NAME=demo OS_USER_DOMAIN_ID=default \\")
    print(f"              OS_PROJECT_DOMAIN_ID=default OS_REGION_NAME={settings.REGION}")


def stop():
    if not os.path.isdir(settings.RUN):
        log("nothing to stop")
        return
    stopped = services.stop_all()
    log("stopped: %s" % (", ".join(stopped) or "nothing was running"))
    try:
        os.unlink(CLOUD_JSON)
    except FileNotFoundError:
        pass


def status():
    rows = services.status()
    for name, pid in rows:
        print(f"{name:<17} " + (f"running (pid {pid})" if pid else "stopped"))
    horizon = procs.read_pid("horizon")
    if procs.alive(horizon):
        print(f"{'horizon':<17} running (pid {horizon}, devcloud/horizon)")
    return 0 if all(pid for _name, pid in rows) else 3


def main(argv):
    if len(argv) != 2 or argv[1] not in ("start", "stop", "status"):
        print("usage: devcloud start | stop | status", file=sys.stderr)
        return 2
    os.makedirs(settings.STATE, mode=0o700, exist_ok=True)
    if argv[1] == "start":
        settings.ensure_state_dir()
        held = settings.claim_state_for_release()
        if held != settings.RELEASE:
            print(
                f"devcloud: {settings.STATE} holds a cloud of release {held}, not "
                f"{settings.RELEASE}: stop it and give this release its own state dir "
                "(DEVCLOUD_STATE=...), or remove that one",
                file=sys.stderr,
            )
            return 1
        try:
            start()
        except procs.StartError as e:
            print(f"devcloud: start failed: {e}", file=sys.stderr)
            return 1
        return 0
    if argv[1] == "stop":
        stop()
        return 0
    return status()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
