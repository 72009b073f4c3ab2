"""The sample's pages: one in HTML, one in JSON that reads the migrated database."""

from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

VERSION = "1"


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"<h1>Django sample, version {VERSION}</h1>")


def info(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"framework": "django", "version": VERSION, "groups": Group.objects.count()}
    )


urlpatterns = [path("", page), path("api/info", info)]
