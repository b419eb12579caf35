# The Python half of WsgiHost's gateway, executed once in every interpreter as module
# `_wsgihost`. The native functions `_log`, `_log_write`, `_log_flush`, `_input_read` and `_input_readline` are put
# into this module's globals by the host before this source runs.
import io
import os
import site
import importlib.util
import sys
import types


class ErrorLog(io.TextIOBase):
    """wsgi.errors, sys.stdout and sys.stderr: every complete line goes to the server's
    error log as one entry, as mod_wsgi's Log object does. The host keeps each thread's
    partial line (per stream) until its newline, a flush or the end of the thread's request,
    so that print(a, b) is one entry and two requests' pieces are never glued together; a
    line written in a request goes to its virtual host's log, naming its client."""

    def __init__(self, name, level, stream):
        super().__init__()
        self._name = name
        self._level = level
        self._stream = stream
        self._buffer = None

    @property
    def buffer(self):
        """The binary side, as a TextIOWrapper has one: sys.stdout.buffer.write(b'...')."""
        if self._buffer is None:
            self._buffer = ErrorLogBuffer(self)
        return self._buffer

    @property
    def name(self):
        return self._name

    @property
    def encoding(self):
        return 'utf-8'

    @property
    def errors(self):
        return 'backslashreplace'

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        raise io.UnsupportedOperation('the WsgiHost error log has no file descriptor')

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError('write() argument must be str, not %s' % type(text).__name__)
        if _forked_child:
            return _write_stderr(text)
        if text:
            _log_write(self._stream, self._level, text)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if _forked_child:
            return
        # Written out before flush() returns, as mod_wsgi's log is: a line flushed just before
        # the process crashes is in the log.
        _log_flush(self._stream)

    def close(self):
        # Apps sometimes close sys.stdout; the log must keep working for everyone else.
        self.flush()


class ErrorLogBuffer(io.BufferedIOBase):
    """sys.stdout.buffer and sys.stderr.buffer: bytes written are decoded as UTF-8 (a sequence
    split across writes kept for the next) and go to the text log."""

    def __init__(self, text):
        super().__init__()
        import codecs
        self._text = text
        self._decoder = codecs.getincrementaldecoder('utf-8')('backslashreplace')

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        self._text.write(self._decoder.decode(data))
        return len(data)

    def flush(self):
        self._text.flush()

    def close(self):
        self.flush()


class Input(object):
    """wsgi.input: a read-only stream over the request body. Reads block without the GIL in
    the host; the body is never held whole in memory."""

    __slots__ = ('_rid',)

    def __init__(self, rid):
        self._rid = rid

    def read(self, size=-1):
        if size is None:
            size = -1
        return _input_read(self._rid, int(size))

    def readline(self, size=-1):
        if size is None:
            size = -1
        return _input_readline(self._rid, int(size))

    def readlines(self, hint=-1):
        if hint is None:
            hint = -1
        lines = []
        total = 0
        while True:
            line = _input_readline(self._rid, -1)
            if not line:
                break
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self):
        return self

    def __next__(self):
        line = _input_readline(self._rid, -1)
        if not line:
            raise StopIteration
        return line

    def close(self):
        pass


class FileWrapper(object):
    """wsgi.file_wrapper. Iterating reads blocks through Python; when the host sees this
    type returned for a regular file it sends straight from the file descriptor instead."""

    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, 'close'):
            self.close = filelike.close

    def __iter__(self):
        return self

    def __next__(self):
        data = self.filelike.read(self.blksize)
        if data:
            return data
        raise StopIteration


def file_wrapper_source(wrapper):
    """(fd, position, size) when the wrapped object is a regular file the host can send
    directly, else None (then the wrapper is iterated like any result)."""
    filelike = wrapper.filelike
    try:
        fd = filelike.fileno()
        position = filelike.tell()
    except Exception:
        return None
    if not isinstance(fd, int) or not isinstance(position, int):
        return None
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    import stat
    if not stat.S_ISREG(st.st_mode):
        return None
    return (fd, position, st.st_size)


def load_script(module_name, path, mtime):
    """Executes a WSGI script as module `module_name` (mod_wsgi's _mod_wsgi_<md5>), with
    __file__ set and registered in sys.modules while it runs, as an import would. As in
    mod_wsgi, a module already loaded from the file as it is now (same __mtime__: loaded by
    WSGIImportScript or by another mount of the script) is reused, not executed again."""
    existing = sys.modules.get(module_name)
    if existing is not None and getattr(existing, '__mtime__', None) == mtime:
        return existing
    with open(path, 'rb') as f:
        source = f.read()
    code = compile(source, path, 'exec', dont_inherit=True)
    module = types.ModuleType(module_name)
    module.__file__ = path
    module.__mtime__ = mtime
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        if sys.modules.get(module_name) is module:
            del sys.modules[module_name]
        raise
    return module


# The answers of mod_wsgi's Python authentication hooks, normalised. The server calls the hooks
# itself, so that a traceback from one shows the script's frames only.

def password_verdict(result):
    """A WSGIAuthUserScript's check_password(environ, user, password) answer as (outcome, user
    name): 0 granted (True, or a str naming the user), 1 a wrong password (False), 2 no such
    user (None). None for anything else, which fails the request as in mod_wsgi."""
    if result is None:
        return (2, None)
    if result is True:
        return (0, None)
    if result is False:
        return (1, None)
    if isinstance(result, str):
        return (0, result)
    return None


def group_names(groups):
    """A WSGIAuthGroupScript's groups_for_user(environ, user) answer as a tuple of str. bytes
    (Django gives the names encoded as UTF-8) are decoded as UTF-8, as the configuration's
    Require names are read, else as latin-1. None when an item is neither."""
    names = []
    for group in groups:
        if isinstance(group, bytes):
            try:
                group = group.decode('utf-8')
            except UnicodeDecodeError:
                group = group.decode('latin-1')
        elif not isinstance(group, str):
            return None
        names.append(group)
    return tuple(names)


def access_verdict(result):
    """A WSGIAccessScript's allow_access(environ, host) answer as 0 (True: allowed), 1 (False:
    denied) or 2 (None: no opinion); None for anything else, which denies as in mod_wsgi."""
    if result is None:
        return 2
    if result is True:
        return 0
    if result is False:
        return 1
    return None


def add_python_path(directories):
    """Adds directories as site dirs (so .pth files work) and moves them to the front of
    sys.path, as mod_wsgi's python-path does."""
    before = list(sys.path)
    for directory in directories:
        site.addsitedir(directory)
    added = [p for p in sys.path if p not in before]
    for directory in directories:
        if directory not in added and directory in sys.path:
            added.append(directory)
    sys.path[:] = added + [p for p in sys.path if p not in added]


class RequestTimeout(BaseException):
    """Raised in the thread of a request that ran past request-timeout when interrupt-timeout
    is set (mod_wsgi.RequestTimeout). A BaseException, so `except Exception` in the app does
    not swallow it; the client gets 504."""


_shutdown_callbacks = []


def process_stopping():
    """mod_wsgi's process_stopping event, run as the interpreter ends and before Python's own
    shutdown: that waits for every non-daemon thread before it runs the atexit handlers, so a
    thread that a callback would stop kept the process from ending (and atexit from running)
    until shutdown-timeout killed it. As in mod_wsgi, a callback that fails is reported and the
    others still run."""
    callbacks = list(_shutdown_callbacks)
    del _shutdown_callbacks[:]
    for callback in callbacks:
        try:
            callback('process_stopping')
        except BaseException:
            import traceback
            sys.stderr.write('mod_wsgi.subscribe_shutdown callback %r failed:\n' % (callback,))
            traceback.print_exc()


def install_mod_wsgi(application_group, process_group, maximum_processes, threads_per_process, version):
    """The `mod_wsgi` module mod_wsgi puts in every interpreter (its mod-wsgi-python-module
    guide): code that imports it learns how it runs (process_group is '' when embedded) and can
    be called when the process stops. What WsgiHost does not have (server_metrics(), the event
    stream) is absent rather than faked: an AttributeError tells the truth. As mod_wsgi does, an
    installed package of that name (pip's mod_wsgi, whose mod_wsgi.server a Django project may
    list in INSTALLED_APPS) is imported and given the attributes, so its submodules still import."""
    try:
        module = importlib.import_module('mod_wsgi')
    except Exception:
        module = types.ModuleType('mod_wsgi')
    module.version = version
    module.process_group = process_group
    module.application_group = application_group
    module.maximum_processes = maximum_processes
    module.threads_per_process = threads_per_process
    module.RequestTimeout = RequestTimeout

    def subscribe_shutdown(callback):
        """callback('process_stopping') runs when this interpreter ends with the process,
        before Python's own shutdown (process_stopping below)."""
        _shutdown_callbacks.append(callback)

    module.subscribe_shutdown = subscribe_shutdown
    sys.modules['mod_wsgi'] = module


def module_files():
    """The source files of every loaded module, NUL-separated (--reload-on-changes watches
    them): a module's __file__, a cached .pyc mapped back to its .py."""
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, '__file__', None)
        if not isinstance(path, str):
            continue
        if path.endswith('.pyc'):
            try:
                path = importlib.util.source_from_cache(path)
            except ValueError:
                pass
        files.add(path)
    return '\0'.join(sorted(files))


def forget_bytecode(path):
    """Removes the cached bytecode of a changed source file. Python trusts a .pyc whose
    recorded source mtime (whole seconds) and size match: an edit within the same second that
    keeps the size would otherwise bring the old code back in the restarted worker."""
    for optimization in ('', 1, 2):
        try:
            os.remove(importlib.util.cache_from_source(path, optimization=optimization))
        except (OSError, ValueError, NotImplementedError):
            pass


def isolate_environ(items):
    """Gives a new sub-interpreter os.environ as the process had it at start. Python copies
    the C environment into each new interpreter, and putenv from other interpreters'
    os.environ writes (os.environ.setdefault('DJANGO_SETTINGS_MODULE', ...)) would leak in.
    Only this interpreter's mapping changes; the process environment is not touched."""
    data = os.environ._data
    data.clear()
    for key, value in items:
        data[os.environ.encodekey(key)] = os.environ.encodevalue(value)


def install_std_streams():
    sys.stdout = ErrorLog('<wsgi.stdout>', 'error', 0)
    sys.stderr = ErrorLog('<wsgi.stderr>', 'error', 1)
    return sys.stderr


def restrict_signals():
    """WSGIRestrictSignal On, mod_wsgi's default: an application's signal.signal() is ignored,
    with a warning and the stack that called it. Installed, a handler would take the server's
    own signals (SIGTERM: the server would not stop), and off the main thread it raises
    ValueError where mod_wsgi lets the app go on. As mod_wsgi's, it returns the handler given."""
    import signal
    import traceback

    def ignored(signalnum, handler):
        _log('warning', 'Callback registration for signal %d ignored (WSGIRestrictSignal).' % int(signalnum))
        for line in ''.join(traceback.format_stack()[:-1]).rstrip('\n').split('\n'):
            _log('warning', line)
        return handler

    global _unrestricted_signal
    _unrestricted_signal = signal.signal
    signal.signal = ignored


_unrestricted_signal = None

# True in a process the application forked (os.fork, multiprocessing's fork start method).
_forked_child = False

# The signals the server's runtime (.NET) and the server itself catch. A forked child inherits
# the handlers, and they write the signal to a pipe the *server* reads: Pool.terminate()'s
# SIGTERM to its workers stopped the server, and the workers themselves never died.
_SERVER_SIGNALS = ('SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE',
                   'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGTERM', 'SIGCHLD', 'SIGCONT', 'SIGTSTP',
                   'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGWINCH')


def _write_stderr(text):
    """Output of a forked child: straight to file descriptor 2, as a plain python3 process
    writes it. The server's log functions are managed code, which a forked child cannot run
    (its runtime's threads were not copied)."""
    data = text.encode('utf-8', 'backslashreplace')
    while data:
        data = data[os.write(2, data):]
    return len(text)


_mask_before_fork = None


def before_fork():
    """Blocks every signal in the forking thread until the child has reset its handlers: a
    SIGTERM that reached the child in between would still go to the server."""
    global _mask_before_fork
    import signal
    _mask_before_fork = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())


def after_fork_in_parent():
    import signal
    signal.pthread_sigmask(signal.SIG_SETMASK, _mask_before_fork)


def after_fork_in_child():
    """Makes a process forked from the server a plain Python process: default signal
    dispositions and output to stderr. Registered with os.register_at_fork, so it runs in the
    child before os.fork() returns there; signals wait (blocked since before_fork) until then."""
    global _forked_child
    _forked_child = True
    import signal
    try:
        _reset_signal_handlers(signal)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, _mask_before_fork)


def _reset_signal_handlers(signal):
    # The child is no longer the server: its signals are its own again.
    if _unrestricted_signal is not None:
        signal.signal = _unrestricted_signal
    numbers = [int(getattr(signal, name)) for name in _SERVER_SIGNALS if hasattr(signal, name)]
    numbers += range(int(signal.SIGRTMIN), int(signal.SIGRTMAX) + 1) if hasattr(signal, 'SIGRTMIN') else []
    try:
        # ctypes, not signal.signal: that only works in the main interpreter, and an
        # application group's sub-interpreter forks too.
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.signal.restype = ctypes.c_void_p
        libc.signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
        for number in numbers:
            libc.signal(number, None)   # SIG_DFL is 0
    except Exception as error:
        _write_stderr('wsgihost: a forked child could not reset its signal handlers (%s): '
                      'use multiprocessing\'s spawn or forkserver start method\n' % error)


errors = install_std_streams()
restrict_signals()
os.register_at_fork(before=before_fork, after_in_parent=after_fork_in_parent, after_in_child=after_fork_in_child)
