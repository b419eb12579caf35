# Fails the way an extension module that refuses sub-interpreters does on import (CPython
# 3.12's message for a single-phase-init module in an isolated interpreter); no such module is
# installed here, so the failure is raised directly.
raise ImportError('module fake_extension does not support loading in subinterpreters')
