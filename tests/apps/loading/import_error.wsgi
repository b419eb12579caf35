import module_that_does_not_exist_anywhere  # noqa: F401


def application(environ, start_response):
    start_response('200 OK', [])
    return [b'never']
