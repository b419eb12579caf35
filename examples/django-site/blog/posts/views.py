from django.shortcuts import render

from .models import Post


def index(request):
    # mod_wsgi.process_group is '' when the blog runs embedded in the server process.
    group = request.META.get('mod_wsgi.process_group', '')
    return render(request, 'posts/index.html', {
        'posts': Post.objects.filter(published=True),
        'served_by': 'daemon group %s' % group if group else 'the server process (embedded)',
    })
