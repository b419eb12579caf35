# httpbin from Debian's python3-httpbin, as a deployment would mount it.
from httpbin import app as application  # noqa: F401
