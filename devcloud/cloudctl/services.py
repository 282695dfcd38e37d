"""The local cloud's processes: how each is prepared, started, checked and stopped."""

import concurrent.futures
import glob
import os
import shutil
import string
import subprocess
import time

from cloudctl import emulator, procs, settings
from cloudctl.settings import PORTS, STATE

VENV_ETC = os.path.join(settings.VENV, "etc")

# uwsgi-served APIs: name -> (port, WSGI module, config env).
APIS = {
    "keystone": (
        "keystone",
        "keystone.wsgi.api:application",
        {"OS_KEYSTONE_CONFIG_DIR": "keystone"},
    ),
    # glance_api.py: Glance's app with the LIGHTOS connector stand-in installed
    "glance-api": ("glance", "glance_api:application", {"OS_GLANCE_CONFIG_DIR": "glance"}),
    "placement-api": (
        "placement",
        "placement.wsgi.api:application",
        {"OS_PLACEMENT_CONFIG_DIR": "placement"},
    ),
    "nova-api": (
        "nova",
        "nova.wsgi.osapi_compute:application",
        {
            "OS_NOVA_CONFIG_DIR": "nova",
            "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf;nova-db.conf;nova-api.conf",
        },
    ),
    "neutron-api": (
        "neutron",
        "neutron.wsgi.api:application",
        {
            "OS_NEUTRON_CONFIG_DIR": "neutron",
            "OS_NEUTRON_CONFIG_FILES": "neutron.conf;ml2_conf.ini",
        },
    ),
    "cinder-api": ("cinder", "cinder.wsgi.api:application", {}),
}

# 2024.1's APIs predate the "<project>.wsgi.api" modules (added in 2025.1 to
# 2026.1): uwsgi runs the WSGI scripts pbr generated into the venv's bin/
# instead (keystone.server.wsgi, placement.wsgi, nova's
# api.openstack.compute.wsgi, cinder.wsgi.wsgi, and for Neutron 24
# neutron.cmd.eventlet.server:main_api_eventlet, which monkey-patches with
# eventlet as that release's uwsgi deployment did). They read the same
# OS_*_CONFIG_* variables. glance_api.py picks Glance's entry point itself.
LEGACY_WSGI_SCRIPTS = {
    "keystone": "keystone-wsgi-public",
    "placement-api": "placement-api",
    "nova-api": "nova-api-wsgi",
    "neutron-api": "neutron-api",
    "cinder-api": "cinder-wsgi",
}

# Daemons: name -> argv after the venv's python/bin (config files under etc/).
NOVA_COMPUTE_CONF = ["--config-file", os.path.join(settings.ETC, "nova", "nova.conf")]
NOVA_CONF = [
    *NOVA_COMPUTE_CONF,
    "--config-file",
    os.path.join(settings.ETC, "nova", "nova-db.conf"),
]
CINDER_CONF = ["--config-file", os.path.join(settings.ETC, "cinder", "cinder.conf")]
DAEMONS = {
    "nova-conductor": ["nova-conductor", *NOVA_CONF],
    "nova-scheduler": ["nova-scheduler", *NOVA_CONF],
    "nova-compute": [
        "python",
        os.path.join(settings.DEVCLOUD, "nova_fake", "nova_compute.py"),
        *NOVA_COMPUTE_CONF,
    ],
    "cinder-scheduler": ["cinder-scheduler", *CINDER_CONF],
    "cinder-volume": ["python", os.path.join(settings.DEVCLOUD, "cinder_volume.py"), *CINDER_CONF],
}

# Stop order: dependants first.
STOP_ORDER = (
    "nova-compute",
    "nova-scheduler",
    "nova-conductor",
    "cinder-volume",
    "cinder-scheduler",
    "nova-api",
    "cinder-api",
    "glance-api",
    "neutron-api",
    "placement-api",
    "keystone",
    "emulator",
    "rabbitmq",
    "epmd",
    "mariadb",
    "memcached",
)


def venv_bin(name):
    return os.path.join(settings.VENV_BIN, name)


def log(msg):
    print(f"devcloud: {msg}", flush=True)


# -- configuration -------------------------------------------------------


def template_vars(service_user="", jwt=""):
    authtoken_tmpl = _read(os.path.join(settings.TEMPLATES, "authtoken.inc"))
    values = {
        "state": STATE,
        "etc": settings.ETC,
        "logs": settings.LOGS,
        "lib": settings.LIB,
        "region": settings.REGION,
        "service_host": settings.SERVICE_HOST,
        "keystone_url": settings.url("keystone"),
        "service_password": settings.SERVICE_PASSWORD,
        "transport_url": settings.TRANSPORT_URL,
        "emulator_port": PORTS["emulator"],
        "emulator_discovery_port": PORTS["emulator_discovery"],
        "lightos_jwt": jwt,
        "lightos_replicas": emulator.REPLICAS,
        "lightos_verify": "True" if emulator.VERIFY_TLS else "False",
        "service_user": service_user,
    }
    for db in settings.DATABASES:
        values["db_" + db] = settings.db_url(db)
    values["authtoken"] = string.Template(authtoken_tmpl).substitute(values)
    return values


def _read(path):
    with open(path) as f:
        return f.read()


def render(template, service, dest_name=None, jwt=""):
    text = string.Template(_read(os.path.join(settings.TEMPLATES, template)))
    dest_dir = os.path.join(settings.ETC, service)
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, dest_name or template)
    user = {"neutron": "neutron", "nova": "nova", "glance": "glance", "cinder": "cinder"}.get(
        service, service
    )
    content = text.substitute(template_vars(user, jwt))
    _write_private(dest, content)
    return dest


def _write_private(path, content):
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(content)
    os.replace(path + ".tmp", path)


def write_configs():
    for d in (settings.ETC, settings.LOGS, settings.RUN, settings.LIB):
        os.makedirs(d, exist_ok=True)
    for svc in ("keystone", "glance", "cinder", "nova", "placement", "neutron"):
        os.makedirs(os.path.join(settings.LIB, svc, "lock"), exist_ok=True)
    render("keystone.conf", "keystone")
    render("glance-api.conf", "glance")
    render("placement.conf", "placement")
    render("nova.conf", "nova")
    render("nova-db.conf", "nova")
    render("nova-api.conf", "nova")
    render("neutron.conf", "neutron")
    render("ml2_conf.ini", "neutron")
    render("cinder.conf", "cinder", jwt=emulator.jwt())
    render("cinder-api.conf", "cinder")
    # Paste pipelines ship in the venv's etc/ (pip data files).
    for service, name in (
        ("glance", "glance-api-paste.ini"),
        ("nova", "api-paste.ini"),
        ("cinder", "api-paste.ini"),
        ("cinder", "resource_filters.json"),
        ("neutron", "api-paste.ini"),
    ):
        shutil.copyfile(
            os.path.join(VENV_ETC, service, name), os.path.join(settings.ETC, service, name)
        )


# -- MariaDB -------------------------------------------------------------

MYSQL_DIR = os.path.join(settings.LIB, "mariadb")
MYSQL_SOCKET = os.path.join(settings.RUN, "mariadb.sock")


def start_mariadb():
    if not os.path.isdir(os.path.join(MYSQL_DIR, "mysql")):
        os.makedirs(MYSQL_DIR, exist_ok=True)
        procs.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                "--datadir=" + MYSQL_DIR,
                "--user=root",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ],
            "mariadb-install",
        )
    procs.spawn(
        "mariadb",
        [
            "mariadbd",
            "--no-defaults",
            "--user=root",
            "--datadir=" + MYSQL_DIR,
            "--socket=" + MYSQL_SOCKET,
            f"--port={PORTS['mariadb']}",
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            "--skip-log-bin",
            "--max-connections=1000",
            "--innodb-buffer-pool-size=128M",
            "--innodb-flush-log-at-trx-commit=2",
            "--character-set-server=utf8mb3",
            "--collation-server=utf8mb3_general_ci",
            "--log-error=" + procs.log_file("mariadb-server"),
            "--pid-file=" + os.path.join(settings.RUN, "mariadbd.pid"),
        ],
    )


def mysql(sql):
    subprocess.run(
        ["mariadb", "--no-defaults", "-S", MYSQL_SOCKET, "-u", "root", "-e", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wait_mariadb():
    procs.wait_for(
        "MariaDB",
        lambda: os.path.exists(MYSQL_SOCKET) and procs.port_open(PORTS["mariadb"]),
        60,
        "mariadb",
    )
    stmts = [f"CREATE DATABASE IF NOT EXISTS {db}" for db in settings.DATABASES]
    user = f"'{settings.DB_USER}'@'127.0.0.1'"
    stmts.append(f"CREATE USER IF NOT EXISTS {user} IDENTIFIED BY '{settings.DB_PASSWORD}'")
    stmts.append(f"GRANT ALL PRIVILEGES ON *.* TO '{settings.DB_USER}'@'127.0.0.1'")
    mysql("; ".join(stmts))


# -- RabbitMQ ------------------------------------------------------------

RABBIT_HOME = os.path.join(settings.LIB, "rabbitmq")


def rabbit_env():
    return {
        "HOME": RABBIT_HOME,
        "RABBITMQ_CONF_ENV_FILE": os.path.join(settings.ETC, "rabbitmq", "rabbitmq-env.conf"),
        "RABBITMQ_CONFIG_FILE": os.path.join(settings.ETC, "rabbitmq", "rabbitmq.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(settings.ETC, "rabbitmq", "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": os.path.join(RABBIT_HOME, "mnesia"),
        "RABBITMQ_LOG_BASE": os.path.join(settings.LOGS, "rabbitmq"),
        "RABBITMQ_NODENAME": "devcloud@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(PORTS["rabbitmq"]),
        "RABBITMQ_DIST_PORT": str(PORTS["rabbitmq_dist"]),
        "ERL_EPMD_PORT": str(PORTS["epmd"]),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
    }


def start_rabbitmq():
    etc = os.path.join(settings.ETC, "rabbitmq")
    os.makedirs(etc, exist_ok=True)
    os.makedirs(os.path.join(RABBIT_HOME, "mnesia"), exist_ok=True)
    os.makedirs(os.path.join(settings.LOGS, "rabbitmq"), exist_ok=True)
    with open(os.path.join(etc, "rabbitmq.conf"), "w") as f:
        f.write(
            f"listeners.tcp.1 = 127.0.0.1:{PORTS['rabbitmq']}\n"
            f"default_user = {settings.RABBIT_USER}\n"
            f"default_pass = {settings.RABBIT_PASSWORD}\n"
            "loopback_users = none\n"
            "log.console = false\n"
        )
    with open(os.path.join(etc, "enabled_plugins"), "w") as f:
        f.write("[].\n")
    with open(os.path.join(etc, "rabbitmq-env.conf"), "w") as f:
        f.write("# devcloud: settings come from the environment\n")
    # RabbitMQ and epmd run as root, like every other service here: the
    # state directory is 0700 (settings.ensure_state_dir), so Debian's
    # "rabbitmq" user could not even reach its own cookie (eacces), nor
    # could it wherever the checkout's parent is closed to it (/root).
    # State dirs from before were chowned to "rabbitmq": take them back.
    for d in (RABBIT_HOME, os.path.join(settings.LOGS, "rabbitmq")):
        _chown_tree(d, os.getuid(), os.getgid())
    cookie = os.path.join(RABBIT_HOME, ".erlang.cookie")
    if not os.path.exists(cookie):
        fd = os.open(cookie, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(fd, "w") as f:
            f.write(os.urandom(16).hex().upper())
    # Our own epmd on loopback (Erlang would otherwise daemonize one we cannot track).
    procs.spawn(
        "epmd", ["epmd", "-address", "127.0.0.1", "-port", str(PORTS["epmd"])], env=rabbit_env()
    )
    procs.wait_for("epmd", lambda: procs.port_open(PORTS["epmd"]), 20, "epmd")
    # /usr/lib/rabbitmq/bin/rabbitmq-server, not Debian's /usr/sbin wrapper,
    # which would switch to the "rabbitmq" user.
    procs.spawn("rabbitmq", ["/usr/lib/rabbitmq/bin/rabbitmq-server"], env=rabbit_env())


def _chown_tree(top, uid, gid):
    for dirpath, _dirs, files in os.walk(top):
        os.chown(dirpath, uid, gid)
        for name in files:
            os.chown(os.path.join(dirpath, name), uid, gid)


def wait_rabbitmq():
    procs.wait_for("RabbitMQ", lambda: procs.port_open(PORTS["rabbitmq"]), 90, "rabbitmq")


# -- database schemas (once per state directory) --------------------------


def _stamp(name):
    return os.path.join(settings.LIB, "done-" + name)


def once(name, fn):
    if os.path.exists(_stamp(name)):
        return
    fn()
    with open(_stamp(name), "w") as f:
        f.write(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))


def _conf(service, name):
    return os.path.join(settings.ETC, service, name)


def sync_keystone():
    conf = ["--config-file", _conf("keystone", "keystone.conf")]
    procs.run([venv_bin("keystone-manage"), *conf, "db_sync"], "keystone-manage")
    for what in ("fernet_setup", "credential_setup"):
        procs.run(
            [
                venv_bin("keystone-manage"),
                *conf,
                what,
                "--keystone-user",
                "root",
                "--keystone-group",
                "root",
            ],
            "keystone-manage",
        )
    procs.run(
        [
            venv_bin("keystone-manage"),
            *conf,
            "bootstrap",
            "--bootstrap-password",
            settings.ADMIN["password"],
            "--bootstrap-username",
            settings.ADMIN["username"],
            "--bootstrap-project-name",
            settings.ADMIN["project"],
            "--bootstrap-admin-url",
            settings.url("keystone", "/v3"),
            "--bootstrap-public-url",
            settings.url("keystone", "/v3"),
            "--bootstrap-internal-url",
            settings.url("keystone", "/v3"),
            "--bootstrap-region-id",
            settings.REGION,
        ],
        "keystone-manage",
    )


def sync_glance():
    procs.run(
        [
            venv_bin("glance-manage"),
            "--config-file",
            _conf("glance", "glance-api.conf"),
            "db_sync",
        ],
        "glance-manage",
    )


def sync_placement():
    procs.run(
        [
            venv_bin("placement-manage"),
            "--config-file",
            _conf("placement", "placement.conf"),
            "db",
            "sync",
        ],
        "placement-manage",
    )


def sync_cinder():
    procs.run([venv_bin("cinder-manage"), *CINDER_CONF, "db", "sync"], "cinder-manage")


def sync_nova():
    manage = [venv_bin("nova-manage"), *NOVA_CONF]
    procs.run([*manage, "api_db", "sync"], "nova-manage")
    procs.run(
        [*manage, "cell_v2", "map_cell0", "--database_connection", settings.db_url("nova_cell0")],
        "nova-manage",
    )
    procs.run([*manage, "db", "sync"], "nova-manage")
    out = subprocess.run(
        [*manage, "cell_v2", "list_cells"], capture_output=True, text=True, check=True
    ).stdout
    if " cell1 " not in out:
        procs.run(
            [
                *manage,
                "cell_v2",
                "create_cell",
                "--name",
                "cell1",
                "--database_connection",
                settings.db_url("nova"),
                "--transport-url",
                settings.TRANSPORT_URL,
            ],
            "nova-manage",
        )


def sync_neutron():
    procs.run(
        [
            venv_bin("neutron-db-manage"),
            "--config-file",
            _conf("neutron", "neutron.conf"),
            "--config-file",
            _conf("neutron", "ml2_conf.ini"),
            "upgrade",
            "heads",
        ],
        "neutron-db-manage",
    )


SYNCS = {
    "keystone": sync_keystone,
    "glance": sync_glance,
    "placement": sync_placement,
    "cinder": sync_cinder,
    "nova": sync_nova,
    "neutron": sync_neutron,
}


def sync_all():
    with concurrent.futures.ThreadPoolExecutor(len(SYNCS)) as pool:
        futures = [pool.submit(once, "db-" + name, fn) for name, fn in SYNCS.items()]
        for f in futures:
            f.result()


# -- Neutron's mechanism driver --------------------------------------------


def ensure_ml2_driver():
    """pip-install devcloud/ml2_devcloud (editable) into .cloud-venv once."""
    from importlib import metadata

    eps = metadata.entry_points(group="neutron.ml2.mechanism_drivers")
    if any(ep.name == "devcloud" for ep in eps):
        return
    procs.run(
        [
            venv_bin("pip"),
            "install",
            "-q",
            "--no-deps",
            "-e",
            os.path.join(settings.DEVCLOUD, "ml2_devcloud"),
        ],
        "pip-ml2",
    )


# -- APIs and daemons ------------------------------------------------------


def start_api(name):
    service, module, env = APIS[name]
    env = {k: (os.path.join(settings.ETC, v) if k.endswith("_DIR") else v) for k, v in env.items()}
    if settings.LEGACY and name in LEGACY_WSGI_SCRIPTS:
        entry = ["--wsgi-file", venv_bin(LEGACY_WSGI_SCRIPTS[name])]
    else:
        entry = ["--module", module]
    argv = [
        venv_bin("uwsgi"),
        "--http-socket",
        f"{settings.HOST}:{PORTS[service]}",
        *entry,
        "--home",
        settings.VENV,
        "--master",
        "--processes",
        "1",
        "--threads",
        "4",
        "--enable-threads",
        "--die-on-term",
        "--need-app",
        "--buffer-size",
        "65535",
        # Clients failed on back-to-back requests without it.
        "--add-header",
        "Connection: close",
        "--procname-prefix-spaced",
        "devcloud",
        "--disable-logging",
    ]
    if name == "glance-api":
        env.update(emulator.data_path_env())
        argv += ["--pythonpath", settings.DEVCLOUD]
        # glanceclient streams uploads in 1 MiB chunks; uwsgi's default chunk
        # limit (1 MB) answers them with "unable to receive chunked part".
        argv += [
            "--http-chunked-input",
            "--chunked-input-limit",
            "16777216",
            "--http-auto-chunked",
        ]
    if name == "cinder-api":
        log_name = os.path.join(settings.LOGS, "cinder-api-service.log")
        conf = [
            *CINDER_CONF,
            "--config-file",
            os.path.join(settings.ETC, "cinder", "cinder-api.conf"),
        ]
        argv += ["--pyargv", "{} --log-file {}".format(" ".join(conf), log_name)]
    procs.spawn(name, argv, env=env)


def start_daemon(name):
    argv = list(DAEMONS[name])
    argv[0] = venv_bin(argv[0])
    argv += ["--log-file", os.path.join(settings.LOGS, name + "-service.log")]
    env = {}
    if name in ("cinder-volume", "nova-compute"):
        env = emulator.data_path_env()
    procs.spawn(name, argv, env=env)


API_CHECKS = {
    "keystone": "/v3",
    "glance": "/versions",
    "placement": "/",
    "nova": "/",
    "neutron": "/",
    "cinder": "/",
}


def wait_api(name, timeout=120):
    service = APIS[name][0]
    path = API_CHECKS[service]
    procs.wait_for(
        f"{name} on port {PORTS[service]}",
        lambda: procs.http_status(PORTS[service], path) in (200, 300),
        timeout,
        name,
    )


# Stopped together, stage by stage: the OpenStack services, then what they use.
STOP_STAGES = (
    STOP_ORDER[:11],
    ("emulator", "rabbitmq", "memcached"),
    ("epmd", "mariadb"),
)


def stop_all():
    stopped = [name for name in STOP_ORDER if procs.running(name)]
    for stage in STOP_STAGES:
        with concurrent.futures.ThreadPoolExecutor(len(stage)) as pool:
            list(pool.map(lambda name: procs.terminate(name, timeout=30), stage))
    # Stray pid files of one-offs.
    for path in glob.glob(os.path.join(settings.RUN, "*.pid")):
        name = os.path.basename(path)[:-4]
        if name in STOP_ORDER or name == "mariadbd":
            continue
        procs.terminate(name)
    return stopped


def status():
    rows = []
    for name in reversed(STOP_ORDER):
        pid = procs.read_pid(name)
        rows.append((name, pid if procs.alive(pid) else None))
    return rows
