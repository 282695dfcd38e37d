"""Seed data (placeholder until the seed lands)."""


def seed():
    return {}
