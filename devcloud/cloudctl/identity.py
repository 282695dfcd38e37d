"""Keystone contents: catalog, projects, users, roles (idempotent)."""

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client as ks_client

from cloudctl import settings


def session(user=settings.ADMIN):
    auth = v3.Password(
        auth_url=settings.AUTH_URL,
        username=user["username"],
        password=user["password"],
        project_name=user["project"],
        user_domain_id="default",
        project_domain_id="default",
    )
    return ks_session.Session(auth=auth)


def service_user(name):
    return {
        "username": name,
        "password": settings.SERVICE_PASSWORD,
        "project": settings.SERVICE_PROJECT,
    }


def _find(manager, **kwargs):
    items = manager.list(**kwargs)
    return items[0] if items else None


def _project(ks, name):
    return _find(ks.projects, name=name, domain="default") or ks.projects.create(name, "default")


def _role(ks, name):
    return _find(ks.roles, name=name) or ks.roles.create(name)


def _user(ks, name, password, project):
    user = _find(ks.users, name=name, domain="default")
    if user is None:
        user = ks.users.create(name, domain="default", password=password, default_project=project)
    return user


def _grant(ks, role, user, project):
    if not ks.role_assignments.list(user=user, project=project, role=role):
        ks.roles.grant(role, user=user, project=project)


def register():
    ks = ks_client.Client(session=session(), interface="public")
    roles = {name: _role(ks, name) for name in ("admin", "member", "reader", "service")}
    service_project = _project(ks, settings.SERVICE_PROJECT)
    demo_project = _project(ks, settings.DEMO["project"])
    demo = _user(ks, settings.DEMO["username"], settings.DEMO["password"], demo_project)
    _grant(ks, roles["member"], demo, demo_project)
    for name in settings.SERVICE_USERS:
        user = _user(ks, name, settings.SERVICE_PASSWORD, service_project)
        _grant(ks, roles["admin"], user, service_project)
        _grant(ks, roles["service"], user, service_project)
    services = {s.type: s for s in ks.services.list()}
    endpoints = ks.endpoints.list()
    for stype, (sname, url) in settings.CATALOG.items():
        service = services.get(stype) or ks.services.create(sname, type=stype)
        for interface in ("public", "internal", "admin"):
            mine = [
                e for e in endpoints if e.service_id == service.id and e.interface == interface
            ]
            if mine and mine[0].url == url:
                continue
            for e in mine:
                ks.endpoints.delete(e)
            ks.endpoints.create(service, url, interface=interface, region=settings.REGION)
    return {"demo_project_id": demo_project.id, "service_project_id": service_project.id}
