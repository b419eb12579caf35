import os

from django.conf import settings
from django.http import JsonResponse
from django.urls import path


def whoami(request):
    return JsonResponse({
        'site': settings.SITE_NAME,
        'settings_module': os.environ.get('DJANGO_SETTINGS_MODULE'),
        'tz': os.environ.get('TZ'),
        'time_zone': settings.TIME_ZONE,
    })


urlpatterns = [path('', whoami)]
