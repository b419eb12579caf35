import os

from django.http import JsonResponse


def home(request):
    # What the deployment looks like from inside the app: the test and the README read this.
    meta = request.META
    return JsonResponse({
        'site': 'www.example.com',
        'scheme': request.scheme,
        'host': request.get_host(),
        'script_name': meta.get('SCRIPT_NAME'),
        'process_group': meta.get('mod_wsgi.process_group'),
        'application_group': meta.get('mod_wsgi.application_group'),
        'site_env': meta.get('SITE_ENVIRONMENT'),
        'settings_module': os.environ.get('DJANGO_SETTINGS_MODULE'),
    })
