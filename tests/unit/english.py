"""The English text of a logic Message, as the project panel renders it."""

from django.utils import translation

from lightbits_dashboard.dashboards.project.lightbits_images import texts


def english(message):
    with translation.override("en"):
        return str(texts.render(message))


def english_verdict(code):
    with translation.override("en"):
        return str(texts.verdict(code))
