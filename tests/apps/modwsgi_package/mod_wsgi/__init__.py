# Stands in for pip's mod_wsgi package (functional tests: EnvironTests): the server extends an
# installed package of that name with its attributes, as mod_wsgi does, so its submodules import.
PACKAGE = 'pip mod_wsgi'
