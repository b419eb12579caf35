import os

from django.http import HttpResponse, JsonResponse


def hello(request, name):
    return JsonResponse({
        'hello': name,
        'path': request.path,
        'path_info': request.path_info,
        'method': request.method,
        'settings': os.environ.get('DJANGO_SETTINGS_MODULE'),
    })


def upload(request):
    return HttpResponse('got %d bytes' % len(request.body), content_type='text/plain')
